import { PorticoError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Clock } from '../core/clock.ts';
import type { Sealer } from '../core/crypto.ts';
import { ROLE_RANK, type Role } from '../domain/common.ts';
import { bumpRevision, type Store, type Tx } from '../store/index.ts';

/** Who is acting: a signed-in user or a service key. */
export interface Principal {
  kind: 'user' | 'service-key';
  id: string;
  /** `user:<id>` or `service-key:<clientId>`: what the audit log records. */
  label: string;
  /** Installation administrator: every organization, every action. */
  isAdmin: boolean;
  /** Role per organization id. */
  roles: Record<string, Role>;
}

export interface Services {
  store: Store;
  sealer: Sealer;
  clock: Clock;
}

export interface Ctx extends Services {
  actor: Principal;
}

/** Refuses unless the actor holds at least `role` in `organizationId` (or is an installation admin). */
export function requireRole(ctx: Ctx, organizationId: string, role: Role): void {
  if (ctx.actor.isAdmin) return;
  const held = ctx.actor.roles[organizationId];
  if (held === undefined) throw new PorticoError('PORTICO_NOT_FOUND', `Organization "${organizationId}" does not exist`);
  if (ROLE_RANK[held] < ROLE_RANK[role]) {
    throw new PorticoError('PORTICO_FORBIDDEN', `This needs the ${role} role in "${organizationId}"; you are ${held}`);
  }
}

export function hasRole(ctx: Ctx, organizationId: string, role: Role): boolean {
  if (ctx.actor.isAdmin) return true;
  const held = ctx.actor.roles[organizationId];
  return held !== undefined && ROLE_RANK[held] >= ROLE_RANK[role];
}

export function requireAdmin(ctx: Ctx): void {
  if (!ctx.actor.isAdmin) throw new PorticoError('PORTICO_FORBIDDEN', 'This needs an installation administrator');
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export type Audit = (entry: AuditEntry) => Promise<void>;

/**
 * Runs `work` in one transaction that also writes the audit events it reports and bumps the
 * configuration revision: a change is either whole, audited and visible to gateways, or absent.
 */
export async function write<T>(ctx: Ctx, organizationId: string | null, work: (tx: Tx, audit: Audit) => Promise<T>): Promise<T> {
  return ctx.store.db.transaction().execute(async (tx) => {
    const result = await work(tx, auditTo(ctx, tx, organizationId));
    await bumpRevision(tx);
    return result;
  });
}

/** The audit writer of a transaction: events are recorded with the transaction or not at all. */
export function auditTo(ctx: Ctx, tx: Tx, organizationId: string | null): Audit {
  return async (entry) => {
    await tx
      .insertInto('audit_events')
      .values({
        id: newId('aud'),
        organization_id: organizationId,
        actor: ctx.actor.label,
        action: entry.action,
        entity_type: entry.entityType,
        entity_id: entry.entityId,
        before: entry.before === undefined ? null : JSON.stringify(entry.before),
        after: entry.after === undefined ? null : JSON.stringify(entry.after),
        at: ctx.clock.now().toISOString(),
      })
      .execute();
  };
}

/** The principal the bootstrap and the demo seed act as. */
export const SYSTEM: Principal = { kind: 'service-key', id: 'system', label: 'system', isAdmin: true, roles: {} };
