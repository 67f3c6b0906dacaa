/**
 * Role credentials as IMDS hands them out: one session per (instance, role), reused until it is close to
 * expiry. EC2 makes new credentials available "at least five minutes before the old ones expire"
 * (docs/local-cloud.md#imdsv2); the lifetime itself is the control plane's (`issueRoleCredentials`).
 */
import type { RoleCredentials } from '../contracts.ts';

export interface IssuedCredentials {
  readonly credentials: RoleCredentials;
  /** When IMDS obtained them (epoch ms): the document's `LastUpdated`. */
  readonly lastUpdated: number;
}

export class RoleCredentialCache {
  readonly #issue: (roleName: string) => RoleCredentials;
  readonly #refreshMarginMs: number;
  readonly #now: () => number;
  readonly #byRole = new Map<string, IssuedCredentials>();

  constructor(issue: (roleName: string) => RoleCredentials, refreshMarginMs: number, now: () => number) {
    this.#issue = issue;
    this.#refreshMarginMs = refreshMarginMs;
    this.#now = now;
  }

  get(roleName: string): IssuedCredentials {
    const cached = this.#byRole.get(roleName);
    const now = this.#now();
    if (cached !== undefined && cached.credentials.expiration - this.#refreshMarginMs > now) return cached;
    const fresh = { credentials: this.#issue(roleName), lastUpdated: now };
    this.#byRole.set(roleName, fresh);
    return fresh;
  }
}
