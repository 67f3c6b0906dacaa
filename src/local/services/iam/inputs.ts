/**
 * What IAM's operations share about their inputs: string members, name and path rules, tags (merged by
 * key, 50 at most) and list paging by `MaxItems`/`Marker`.
 */
import { iamErrors } from './errors.ts';
import type { Tag } from './model.ts';

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const invalid = iamErrors.validation;

/** IAM name rules (IAM API reference): `[\w+=,.@-]+`, 1–64 for roles, 1–128 for policies and profiles. */
export function checkName(member: string, value: string, max: number): void {
  if (value.length < 1 || value.length > max) {
    throw invalid(member, value, `Member must have length less than or equal to ${max}`);
  }
  if (!/^[\w+=,.@-]+$/.test(value)) {
    throw invalid(member, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  }
}

/** Paths begin and end with `/`: `/` or `/a/b/`, printable ASCII (IAM identifiers, "IAM ARNs"). */
export function checkPath(member: string, value: string): string {
  if (value.length > 512 || !/^(\/|\/[\x21-\x7e]+\/)$/.test(value)) {
    throw invalid(
      member,
      value,
      'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
    );
  }
  return value;
}

export function parseTags(v: unknown): Tag[] {
  if (!Array.isArray(v)) return [];
  return v.map((t: unknown) => {
    const r = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
    return { Key: str(r.Key), Value: str(r.Value) };
  });
}

/** Tagging merges by key, and a resource holds at most 50 tags (IAM quotas). */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) byKey.set(t.Key, t);
  if (byKey.size > 50) throw iamErrors.limitExceeded('The number of tags has reached the maximum limit.');
  return [...byKey.values()];
}

export const { noSuchEntity, alreadyExists, deleteConflict } = iamErrors;

export interface Page<T> {
  readonly items: T[];
  readonly IsTruncated: boolean;
  readonly Marker?: string;
}

/**
 * IAM list pagination: `MaxItems` (1–1000, default 100) and an opaque `Marker`; `IsTruncated` says more
 * remain. The marker encodes the sort key of the next item, so deletions between pages do not skip items.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  input: { readonly MaxItems?: number | undefined; readonly Marker?: string | undefined },
): Page<T> {
  const max = typeof input.MaxItems === 'number' ? input.MaxItems : 100;
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw invalid('maxItems', String(input.MaxItems), 'Member must have value less than or equal to 1000');
  }
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  const marker = optStr(input.Marker);
  if (marker !== undefined) {
    const from = Buffer.from(marker, 'base64url').toString('utf8');
    if (from === '') throw iamErrors.invalidInput('Invalid Marker.');
    start = sorted.findIndex((item) => keyOf(item) >= from);
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + max);
  const next = sorted[start + max];
  if (next === undefined) return { items: page, IsTruncated: false };
  return { items: page, IsTruncated: true, Marker: Buffer.from(keyOf(next), 'utf8').toString('base64url') };
}

export const byPathPrefix = (path: string, input: { readonly PathPrefix?: string | undefined }): boolean =>
  path.startsWith(optStr(input.PathPrefix) ?? '/');
