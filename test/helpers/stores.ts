import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

/** Where the suites find PostgreSQL; CI starts it (see .ci/run). */
export const PG_ADMIN_URL = process.env.PORTICO_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore {
  dialect: 'sqlite' | 'postgres';
  /** Value for PorticoConfig.database. */
  database: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty store of the given dialect: a temp SQLite file, or a new PostgreSQL database. */
export async function freshStore(dialect: 'sqlite' | 'postgres'): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-test-'));
  if (dialect === 'sqlite') {
    return { dialect, database: 'sqlite', dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `portico_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    database: url.toString(),
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Both dialects: every store-touching suite runs once per entry. */
export const DIALECTS = ['sqlite', 'postgres'] as const;
