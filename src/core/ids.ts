import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * Sortable ids: 10 characters of millisecond time then 16 random ones, behind a type prefix
 * (`api_01j…`). Sorting by id sorts by creation, which keeps cursor pagination simple.
 */
export function newId(prefix: string, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${prefix}_${time}${rand}`;
}

/** A random token of `bytes` bytes, URL-safe. Used for API keys, secrets and session ids. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
