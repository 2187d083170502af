/**
 * The last good snapshot on disk, so a gateway starts and serves while the control plane is
 * unreachable (DESIGN.md §1). Written to a temporary file and renamed: a crash mid-write never
 * leaves a truncated cache behind.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Snapshot } from '../../snapshot/types.ts';

export async function writeCache(file: string, body: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, body, { mode: 0o600 });
  await rename(tmp, file);
}

export async function readCache(file: string): Promise<Snapshot | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Snapshot;
    return Number.isInteger(parsed?.revision) ? parsed : null;
  } catch {
    return null;
  }
}
