import { PorticoError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Role } from '../domain/common.ts';
import { isUniqueViolation, type EntityTable, type Stored, type Tx } from '../store/index.ts';
import { requireRole, write, type Audit, type Ctx } from './context.ts';

export interface OrgEntity {
  id: string;
  organizationId: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface ResourceRules<E extends OrgEntity, C, U> {
  table: EntityTable<E>;
  idPrefix: string;
  entityType: string;
  readRole: Role;
  writeRole: Role;
  /** Builds a new entity from validated input (defaults applied). */
  build(input: C, base: Pick<E, 'id' | 'organizationId' | 'createdAt' | 'updatedAt'>): E;
  /** Applies a validated patch. */
  merge(current: E, patch: U): E;
  /** Checks references and rules inside the write transaction. */
  check?(tx: Tx, entity: E, previous: E | null): Promise<void>;
  /** Returns why the entity cannot be deleted, or null. */
  usedBy?(tx: Tx, entity: E): Promise<string | null>;
  /** Writes rows owned by the entity (operations, links) after insert/update. */
  afterWrite?(tx: Tx, entity: E): Promise<void>;
  beforeDelete?(tx: Tx, entity: E): Promise<void>;
  /** What a caller may read; null: everything. Entities outside it answer 404. */
  visibleTo?(ctx: Ctx, organizationId: string): Promise<((e: E) => boolean) | null>;
  /** What the API and audit log show (secrets removed). */
  present?(entity: E): E;
}

/**
 * Create, read, update, delete and list for an entity that belongs to an organization, with the
 * role checks, optimistic concurrency, audit and 409-on-duplicate every resource needs.
 */
export class OrgResource<E extends OrgEntity, C, U> {
  constructor(readonly rules: ResourceRules<E, C, U>) {}

  present(entity: E): E {
    return this.rules.present ? this.rules.present(entity) : entity;
  }

  async list(ctx: Ctx, organizationId: string, page: { limit?: number | undefined; cursor?: string | undefined }, where?: Record<string, string | number | null>) {
    requireRole(ctx, organizationId, this.rules.readRole);
    const result = await this.rules.table.list(ctx.store.db, { organizationId, limit: page.limit ?? 50, cursor: page.cursor, where: where ?? {} });
    const visible = (await this.rules.visibleTo?.(ctx, organizationId)) ?? null;
    // A filtered page may hold fewer items than `limit`; `nextCursor` still walks every row.
    const items = visible === null ? result.items : result.items.filter(visible);
    return { items: items.map((e) => this.present(e)), nextCursor: result.nextCursor };
  }

  async get(ctx: Ctx, organizationId: string, id: string): Promise<Stored<E>> {
    requireRole(ctx, organizationId, this.rules.readRole);
    const stored = await this.rules.table.get(ctx.store.db, id, organizationId);
    const visible = (await this.rules.visibleTo?.(ctx, organizationId)) ?? null;
    if (visible !== null && !visible(stored.entity)) throw new PorticoError('PORTICO_NOT_FOUND', `${this.rules.table.label} "${id}" does not exist`);
    return { entity: this.present(stored.entity), version: stored.version };
  }

  async create(ctx: Ctx, organizationId: string, input: C): Promise<Stored<E>> {
    requireRole(ctx, organizationId, this.rules.writeRole);
    return write(ctx, organizationId, (tx, audit) => this.createIn(ctx, tx, audit, organizationId, input));
  }

  /** Creates inside the caller's transaction (role already checked): several changes, one commit. */
  async createIn(ctx: Ctx, tx: Tx, audit: Audit, organizationId: string, input: C): Promise<Stored<E>> {
    const now = ctx.clock.now().toISOString();
    const entity = this.rules.build(input, { id: newId(this.rules.idPrefix), organizationId, createdAt: now, updatedAt: now } as Pick<E, 'id' | 'organizationId' | 'createdAt' | 'updatedAt'>);
    return this.#guard(entity, async () => {
      await this.rules.check?.(tx, entity, null);
      const stored = await this.rules.table.insert(tx, entity);
      await this.rules.afterWrite?.(tx, entity);
      await audit({ action: 'create', entityType: this.rules.entityType, entityId: entity.id, after: this.present(entity) });
      return { entity: this.present(stored.entity), version: stored.version };
    });
  }

  async update(ctx: Ctx, organizationId: string, id: string, patch: U, ifMatch: number | null): Promise<Stored<E>> {
    requireRole(ctx, organizationId, this.rules.writeRole);
    return write(ctx, organizationId, (tx, audit) => this.updateIn(ctx, tx, audit, organizationId, id, patch, ifMatch));
  }

  /** Updates inside the caller's transaction (role already checked). */
  async updateIn(ctx: Ctx, tx: Tx, audit: Audit, organizationId: string, id: string, patch: U, ifMatch: number | null): Promise<Stored<E>> {
    const current = await this.rules.table.get(tx, id, organizationId);
    const next = { ...this.rules.merge(current.entity, patch), id, organizationId, createdAt: current.entity.createdAt, updatedAt: ctx.clock.now().toISOString() };
    return this.#guard(next, async () => {
      await this.rules.check?.(tx, next, current.entity);
      const stored = await this.rules.table.update(tx, next, ifMatch ?? current.version);
      await this.rules.afterWrite?.(tx, next);
      await audit({ action: 'update', entityType: this.rules.entityType, entityId: id, before: this.present(current.entity), after: this.present(next) });
      return { entity: this.present(stored.entity), version: stored.version };
    });
  }

  async delete(ctx: Ctx, organizationId: string, id: string, ifMatch: number | null): Promise<void> {
    requireRole(ctx, organizationId, this.rules.writeRole);
    await write(ctx, organizationId, (tx, audit) => this.deleteIn(tx, audit, organizationId, id, ifMatch));
  }

  /** Deletes inside the caller's transaction (role already checked). */
  async deleteIn(tx: Tx, audit: Audit, organizationId: string, id: string, ifMatch: number | null): Promise<void> {
    const current = await this.rules.table.get(tx, id, organizationId);
    if (ifMatch !== null && ifMatch !== current.version) {
      throw new PorticoError('PORTICO_PRECONDITION_FAILED', `${this.rules.table.label} "${id}" was changed by someone else; read it again`);
    }
    const reason = await this.rules.usedBy?.(tx, current.entity);
    if (reason) throw new PorticoError('PORTICO_IN_USE', `${this.rules.table.label} "${current.entity.name}" cannot be deleted: ${reason}`);
    await this.rules.beforeDelete?.(tx, current.entity);
    await this.rules.table.delete(tx, id);
    await audit({ action: 'delete', entityType: this.rules.entityType, entityId: id, before: this.present(current.entity) });
  }

  async #guard<T>(entity: E, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new PorticoError('PORTICO_CONFLICT', `A ${this.rules.table.label.toLowerCase()} named "${entity.name}" (or with the same unique fields) already exists`);
      }
      throw error;
    }
  }
}

/** "used by 2 APIs" style reasons for refused deletes. */
export function usage(count: number, what: string): string | null {
  return count > 0 ? `used by ${count} ${what}${count === 1 ? '' : 's'}` : null;
}
