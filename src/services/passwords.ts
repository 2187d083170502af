import { hash, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (19 MiB, 2 iterations): OWASP's minimum recommendation.
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
