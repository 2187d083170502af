// Runs every `*.test.ts` under src/ and test/ with node:test through tsx.
// Node 20 neither expands quoted globs nor finds .ts test files by itself, so we list them here.
// `npm test -- path/to/file.test.ts` runs only the named files. A file that runs longer than
// FILE_TIMEOUT_MS fails instead of holding up the whole run (a hang must not stall CI).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const FILE_TIMEOUT_MS = 180_000;
const named = process.argv.slice(2);
const files = named.length > 0 ? named : ['src', 'test'].flatMap((d) => find(d)).sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${FILE_TIMEOUT_MS}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, PORTICO_LOG_LEVEL: process.env.PORTICO_LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
