/**
 * Helpers shared by the EC2-family services of the local cloud (EC2, Auto Scaling, ELBv2, SSM): ids,
 * EC2-style filters, tag lists and opaque pagination tokens. Kept here because Auto Scaling, ELBv2 and
 * SSM all sit on top of the EC2 model.
 */
import { randomBytes } from 'node:crypto';
import type { CallContext, Operation } from '../../contracts.ts';

/** `n` lowercase hex digits, as in `i-0123456789abcdef0` (17 digits). */
export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

export const newId = (prefix: string, digits = 17): string => `${prefix}-${randomHex(digits)}`;

/**
 * Wraps a typed handler as a contract `Operation`. The gateway's codec is driven by the SDK's own schemas,
 * so the parsed input has the SDK input shape; this is the single place where that is asserted.
 */
export function op<I, O>(fn: (input: I, ctx: CallContext) => O): Operation {
  return (input, ctx) => fn(input as I, ctx);
}

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

export interface TagRecord {
  Key: string;
  Value: string;
}

/** Values of the generic `tag:<key>` / `tag-key` / `tag-value` filters, or undefined for other names. */
export function tagFilterValues(name: string, tags: readonly TagRecord[]): string[] | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return tags.filter((t) => t.Key === key).map((t) => t.Value);
  }
  if (name === 'tag-key') return tags.map((t) => t.Key);
  if (name === 'tag-value') return tags.map((t) => t.Value);
  return undefined;
}

/** Sets or overwrites tags by key, keeping order (CreateTags / AddTags semantics). */
export function upsertTags(existing: TagRecord[], added: readonly TagRecord[]): TagRecord[] {
  const out = existing.map((t) => ({ ...t }));
  for (const tag of added) {
    const found = out.find((t) => t.Key === tag.Key);
    if (found) found.Value = tag.Value;
    else out.push({ Key: tag.Key, Value: tag.Value });
  }
  return out;
}

/** Opaque pagination tokens: base64 of the next offset, bound to the operation so tokens cannot be mixed. */
export function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64');
}

export function decodeToken(scope: string, token: string | undefined): number | undefined {
  if (token === undefined || token === '') return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 's' in parsed && 'o' in parsed) {
      const { s, o } = parsed;
      if (s === scope && typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
    }
  } catch {
    // fall through: an unreadable token is the caller's error
  }
  return undefined;
}

/** One page of `items` from `offset`; `next` is the offset of the following page, if any. */
export function page<T>(
  items: readonly T[],
  offset: number,
  max: number,
): { items: T[]; next: number | undefined } {
  const slice = items.slice(offset, offset + max);
  const next = offset + max < items.length ? offset + max : undefined;
  return { items: slice, next };
}

export const isoSeconds = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
