/**
 * IMDSv2 session tokens of one instance: opaque, valid only on the instance that issued them, TTL
 * 1–21600 s (docs/local-cloud.md#imdsv2). The TTL is wall-clock and unscaled: it is a protocol value the SDK
 * chooses (21600), not a duration of the simulated cloud.
 */
import { randomBytes } from 'node:crypto';

export const MIN_TOKEN_TTL_SECONDS = 1;
export const MAX_TOKEN_TTL_SECONDS = 21_600;
const MAX_LIVE_TOKENS = 10_000;

/** The TTL header's value in seconds, or undefined when missing or outside 1–21600. */
export function parseTokenTtl(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d{1,6}$/.test(header.trim())) return undefined;
  const ttl = Number(header.trim());
  return ttl >= MIN_TOKEN_TTL_SECONDS && ttl <= MAX_TOKEN_TTL_SECONDS ? ttl : undefined;
}

export class TokenStore {
  readonly #expiry = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  issue(ttlSeconds: number): string {
    if (this.#expiry.size >= MAX_LIVE_TOKENS) this.#prune();
    const token = randomBytes(40).toString('base64url');
    this.#expiry.set(token, this.#now() + ttlSeconds * 1000);
    return token;
  }

  isValid(token: string): boolean {
    const expiresAt = this.#expiry.get(token);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.#now()) return true;
    this.#expiry.delete(token);
    return false;
  }

  #prune(): void {
    const now = this.#now();
    for (const [token, expiresAt] of this.#expiry) if (expiresAt <= now) this.#expiry.delete(token);
    // Still full of live tokens: drop the oldest (Map keeps insertion order) rather than grow without bound.
    for (const token of this.#expiry.keys()) {
      if (this.#expiry.size < MAX_LIVE_TOKENS) break;
      this.#expiry.delete(token);
    }
  }
}
