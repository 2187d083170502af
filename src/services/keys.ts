import { randomBytes } from 'node:crypto';
import { sha256 } from '../core/crypto.ts';

/** API keys: 32 random bytes, prefixed so that leaked keys are easy to recognise in scans. */
export function newApiKey(): string {
  return `pk_${randomBytes(32).toString('base64url')}`;
}

/** How the gateway looks keys up: SHA-256 of the key, never the key itself. */
export const hashApiKey = sha256;
