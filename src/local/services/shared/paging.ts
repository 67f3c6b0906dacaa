/** Opaque pagination tokens and pages, shared by every describe/list call that pages. */
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
