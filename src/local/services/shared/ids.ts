/** Resource ids of the EC2 family (`i-0123456789abcdef0`) and random hex for ARNs. */
import { randomBytes } from 'node:crypto';

/** `n` lowercase hex digits, as in `i-0123456789abcdef0` (17 digits). */
export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

export const newId = (prefix: string, digits = 17): string => `${prefix}-${randomHex(digits)}`;

/** AWS timestamps to the second (`2026-01-01T00:00:00Z`), as Auto Scaling's activities show them. */
export const isoSeconds = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
