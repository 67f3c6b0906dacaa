import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** IAM unique ids and access key ids: a 4-letter type prefix (AROA, ANPA, AIPA, ASIA, AKIA) + base32 chars. */
export function iamId(prefix: string, length = 17): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const b of bytes) id += ALPHABET[b % 32];
  return id;
}

export const randomSecret = (): string =>
  randomBytes(30).toString('base64').replace(/[+/=]/g, 'A').slice(0, 40);
