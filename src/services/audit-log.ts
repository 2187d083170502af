import type { AuditEvent } from '../domain/audit.ts';
import { requireRole, type Ctx } from './context.ts';

/** The audit trail of an organization, newest first. */
export async function listAudit(ctx: Ctx, organizationId: string, page: { limit?: number | undefined; cursor?: string | undefined }): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
  requireRole(ctx, organizationId, 'admin');
  const limit = page.limit ?? 50;
  let q = ctx.store.db.selectFrom('audit_events').selectAll().where('organization_id', '=', organizationId).orderBy('id', 'desc').limit(limit + 1);
  if (page.cursor) q = q.where('id', '<', page.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map((r) => ({
    id: r.id,
    organizationId: r.organization_id,
    actor: r.actor,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    at: r.at,
  }));
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
