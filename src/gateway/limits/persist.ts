/**
 * Quota persistence for a single node: calendar counters are written to a JSON file so a restart
 * does not hand every consumer a fresh monthly quota. Writes are atomic (temporary file in the same
 * directory, then rename), so a crash mid-write leaves the previous file intact.
 */
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { CalendarState } from './algorithms.ts';

interface SavedFile {
  version: 1;
  counters: Array<[key: string, start: number, end: number, count: number]>;
}

/** Counters of periods not yet ended at `now`; none when the file does not exist. Throws on a malformed file. */
export function loadCounters(path: string, now: number): Map<string, CalendarState> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  const saved = JSON.parse(text) as SavedFile;
  if (saved.version !== 1 || !Array.isArray(saved.counters)) throw new Error(`${path} is not a Portico counter file`);
  const out = new Map<string, CalendarState>();
  for (const [key, start, end, count] of saved.counters) {
    if (typeof key === 'string' && end > now && start <= end && count >= 0) out.set(key, { start, end, count });
  }
  return out;
}

export async function saveCounters(path: string, counters: ReadonlyMap<string, CalendarState>): Promise<void> {
  const file: SavedFile = { version: 1, counters: [] };
  for (const [key, s] of counters) file.counters.push([key, s.start, s.end, s.count]);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(file));
  await rename(tmp, path);
}
