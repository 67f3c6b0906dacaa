/** EC2-style `Filter` lists, used by EC2, Auto Scaling and SSM describe calls. */
/** An EC2 `Filter` as the SDK sends it. */
export interface FilterInput {
  Name?: string | undefined;
  Values?: string[] | undefined;
}

/** EC2 filter values accept `*` (any run) and `?` (one character) wildcards, case-sensitively. */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(value);
}

/**
 * True when the resource passes every filter (AND across filters, OR across one filter's values).
 * `valuesOf` returns the resource's values for a filter name, or `undefined` when the name is unknown,
 * in which case `onUnknown` is thrown, as EC2 rejects unknown filter names.
 */
export function matchesFilters(
  filters: readonly FilterInput[] | undefined,
  valuesOf: (name: string) => readonly string[] | undefined,
  onUnknown: (name: string) => Error,
): boolean {
  for (const filter of filters ?? []) {
    const name = filter.Name ?? '';
    const have = valuesOf(name);
    if (have === undefined) throw onUnknown(name);
    const wanted = filter.Values ?? [];
    if (!wanted.some((w) => have.some((h) => wildcardMatch(w, h)))) return false;
  }
  return true;
}
