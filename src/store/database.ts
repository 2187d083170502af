import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import * as m001 from './migrations/001_initial.ts';
import * as m002 from './migrations/002_analytics.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type Dialect = 'sqlite' | 'postgres';

const MIGRATIONS: Record<string, Migration> = { '001_initial': m001, '002_analytics': m002 };

export interface Store {
  readonly db: Db;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/**
 * Opens the store named by `database`: `sqlite` (a file in dataDir), `sqlite:/path/file.db`, or a
 * `postgres://` URL. Runs pending migrations before returning.
 */
export async function openStore(database: string, dataDir: string): Promise<Store> {
  let db: Db;
  let dialect: Dialect;
  if (database.startsWith('postgres://') || database.startsWith('postgresql://')) {
    // Integers and bigints come back as numbers: our counters stay well below 2^53.
    pg.types.setTypeParser(20, (v) => Number(v));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database, max: 10 }) }) });
    dialect = 'postgres';
  } else {
    const file = database.startsWith('sqlite:') ? database.slice('sqlite:'.length) : join(dataDir, 'portico.db');
    mkdirSync(dataDir, { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    dialect = 'sqlite';
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect, close: () => db.destroy() };
}

/** Every write transaction bumps the configuration revision that gateways follow. */
export async function bumpRevision(tx: Tx): Promise<number> {
  await tx.updateTable('config_revision').set({ revision: sql`revision + 1` }).where('id', '=', 1).execute();
  return currentRevision(tx);
}

export async function currentRevision(db: Db | Tx): Promise<number> {
  const row = await db.selectFrom('config_revision').select('revision').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.revision);
}
