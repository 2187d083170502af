import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newMasterKey } from '../core/crypto.ts';
import { randomToken } from '../core/ids.ts';

/**
 * A value from the environment, else from `dataDir/<file>`, else generated into that file
 * (mode 0600). Control planes sharing a PostgreSQL store must share the value through the environment.
 */
function persistent(dataDir: string, file: string, fromEnv: string | null, make: () => string): string {
  if (fromEnv) return fromEnv;
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

export function masterKey(dataDir: string, fromEnv: string | null): string {
  return persistent(dataDir, 'master.key', fromEnv, newMasterKey);
}

export function gatewayToken(dataDir: string, fromEnv: string | null): string {
  return persistent(dataDir, 'gateway.token', fromEnv, () => randomToken(32));
}
