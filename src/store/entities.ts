import type { Kysely } from 'kysely';
import { PorticoError } from '../core/errors.ts';
import type { Db, Tx } from './database.ts';

/** The stored form of an entity: its JSON plus the row version behind its ETag. */
export interface Stored<E> {
  entity: E;
  version: number;
}

export interface ListOptions {
  organizationId?: string;
  limit: number;
  cursor?: string | undefined;
  where?: Record<string, string | number | null>;
}

export interface EntityShape {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * One repository for every entity table: relational columns come from `columns(entity)` (so the
 * database enforces uniqueness and references), the rest lives in `data`. Updates are optimistic:
 * they name the version they read, and lose to a concurrent writer with 412.
 */
export class EntityTable<E extends EntityShape> {
  constructor(
    readonly table: string,
    readonly label: string,
    private readonly columns: (e: E) => Record<string, string | number | null>,
  ) {}

  #q(db: Db | Tx): Kysely<any> {
    return db as unknown as Kysely<any>;
  }

  #decode(row: Record<string, unknown>): Stored<E> {
    const data = JSON.parse(String(row.data)) as E;
    data.id = String(row.id);
    data.createdAt = String(row.created_at);
    data.updatedAt = String(row.updated_at);
    return { entity: data, version: Number(row.version) };
  }

  async find(db: Db | Tx, id: string, organizationId?: string): Promise<Stored<E> | null> {
    let q = this.#q(db).selectFrom(this.table).selectAll().where('id', '=', id);
    if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId);
    const row = await q.executeTakeFirst();
    return row ? this.#decode(row) : null;
  }

  async get(db: Db | Tx, id: string, organizationId?: string): Promise<Stored<E>> {
    const found = await this.find(db, id, organizationId);
    if (!found) throw new PorticoError('PORTICO_NOT_FOUND', `${this.label} "${id}" does not exist`);
    return found;
  }

  async findBy(db: Db | Tx, where: Record<string, string | number>): Promise<Stored<E> | null> {
    let q = this.#q(db).selectFrom(this.table).selectAll();
    for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
    const row = await q.executeTakeFirst();
    return row ? this.#decode(row) : null;
  }

  async list(db: Db | Tx, options: ListOptions): Promise<{ items: E[]; nextCursor: string | null }> {
    let q = this.#q(db).selectFrom(this.table).selectAll().orderBy('id').limit(options.limit + 1);
    if (options.organizationId !== undefined) q = q.where('organization_id', '=', options.organizationId);
    if (options.cursor) q = q.where('id', '>', options.cursor);
    for (const [k, v] of Object.entries(options.where ?? {})) q = v === null ? q.where(k, 'is', null) : q.where(k, '=', v);
    const rows = await q.execute();
    const page = rows.slice(0, options.limit).map((r) => this.#decode(r).entity);
    return { items: page, nextCursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
  }

  async all(db: Db | Tx, where: Record<string, string | number> = {}): Promise<E[]> {
    let q = this.#q(db).selectFrom(this.table).selectAll().orderBy('id');
    for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
    return (await q.execute()).map((r) => this.#decode(r).entity);
  }

  async insert(tx: Tx, entity: E): Promise<Stored<E>> {
    await this.#q(tx)
      .insertInto(this.table)
      .values({
        id: entity.id,
        version: 1,
        created_at: entity.createdAt,
        updated_at: entity.updatedAt,
        data: JSON.stringify(entity),
        ...this.columns(entity),
      })
      .execute();
    return { entity, version: 1 };
  }

  /** Writes `entity` if the row is still at `expectedVersion`; otherwise 412. */
  async update(tx: Tx, entity: E, expectedVersion: number): Promise<Stored<E>> {
    const result = await this.#q(tx)
      .updateTable(this.table)
      .set({ version: expectedVersion + 1, updated_at: entity.updatedAt, data: JSON.stringify(entity), ...this.columns(entity) })
      .where('id', '=', entity.id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new PorticoError('PORTICO_PRECONDITION_FAILED', `${this.label} "${entity.id}" was changed by someone else; read it again`);
    }
    return { entity, version: expectedVersion + 1 };
  }

  async delete(tx: Tx, id: string): Promise<void> {
    await this.#q(tx).deleteFrom(this.table).where('id', '=', id).execute();
  }

  async count(db: Db | Tx, where: Record<string, string | number>): Promise<number> {
    let q = this.#q(db).selectFrom(this.table).select((eb) => eb.fn.countAll().as('n'));
    for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

/** Maps a unique-constraint violation from either dialect to a 409 with a readable message. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: string };
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
