import { PorticoError } from '../core/errors.ts';
import type { Role } from '../domain/common.ts';
import type { Organization, OrganizationCreate, OrganizationUpdate } from '../domain/organization.ts';
import type { Membership } from '../domain/user.ts';
import { isUniqueViolation, tables, type Stored } from '../store/index.ts';
import { requireRole, write, type Ctx } from './context.ts';
import { createBuiltinGroups } from './groups.ts';

const OWNED = ['apis', 'backends', 'products', 'applications', 'named_values'] as const;

export const organizations = {
  async list(ctx: Ctx, page: { limit?: number | undefined; cursor?: string | undefined }) {
    const result = await tables.organizations.list(ctx.store.db, { limit: ctx.actor.isAdmin ? (page.limit ?? 50) : 1000, cursor: page.cursor });
    if (ctx.actor.isAdmin) return result;
    return { items: result.items.filter((o) => ctx.actor.roles[o.id] !== undefined), nextCursor: null };
  },

  async get(ctx: Ctx, id: string): Promise<Stored<Organization>> {
    requireRole(ctx, id, 'developer');
    return tables.organizations.get(ctx.store.db, id);
  },

  /** Any signed-in user may create an organization and becomes its owner; it starts with the built-in groups. */
  async create(ctx: Ctx, input: OrganizationCreate): Promise<Stored<Organization>> {
    if (ctx.actor.kind === 'service-key' && !ctx.actor.isAdmin) throw new PorticoError('PORTICO_FORBIDDEN', 'Only installation-wide service keys create organizations');
    const now = ctx.clock.now().toISOString();
    const org: Organization = { id: input.id, name: input.name, description: input.description ?? '', createdAt: now, updatedAt: now };
    try {
      return await write(ctx, org.id, async (tx, audit) => {
        const stored = await tables.organizations.insert(tx, org);
        await createBuiltinGroups(tx, org.id, now);
        if (ctx.actor.kind === 'user') await tx.insertInto('memberships').values({ organization_id: org.id, user_id: ctx.actor.id, role: 'owner', created_at: now }).execute();
        await audit({ action: 'create', entityType: 'organization', entityId: org.id, after: org });
        return stored;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new PorticoError('PORTICO_CONFLICT', `Organization "${org.id}" already exists`);
      throw error;
    }
  },

  async update(ctx: Ctx, id: string, patch: OrganizationUpdate, ifMatch: number | null): Promise<Stored<Organization>> {
    requireRole(ctx, id, 'admin');
    return write(ctx, id, async (tx, audit) => {
      const current = await tables.organizations.get(tx, id);
      const next = { ...current.entity, ...patch, updatedAt: ctx.clock.now().toISOString() };
      const stored = await tables.organizations.update(tx, next, ifMatch ?? current.version);
      await audit({ action: 'update', entityType: 'organization', entityId: id, before: current.entity, after: next });
      return stored;
    });
  },

  /** Only an empty organization can be deleted: nothing disappears by cascade. */
  async delete(ctx: Ctx, id: string): Promise<void> {
    requireRole(ctx, id, 'owner');
    await write(ctx, null, async (tx, audit) => {
      const current = await tables.organizations.get(tx, id);
      for (const table of OWNED) {
        const row = await tx.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('organization_id', '=', id).executeTakeFirstOrThrow();
        if (Number(row.n) > 0) throw new PorticoError('PORTICO_IN_USE', `Organization "${id}" still holds ${row.n} ${table.replace('_', ' ')}; delete them first`);
      }
      const groupIds = (await tx.selectFrom('groups').select('id').where('organization_id', '=', id).execute()).map((g) => g.id);
      if (groupIds.length > 0) await tx.deleteFrom('group_members').where('group_id', 'in', groupIds).execute();
      await tx.deleteFrom('groups').where('organization_id', '=', id).execute();
      await tx.deleteFrom('policies').where('organization_id', '=', id).execute();
      await tx.deleteFrom('memberships').where('organization_id', '=', id).execute();
      await tx.deleteFrom('service_keys').where('organization_id', '=', id).execute();
      // Organization ids are slugs anyone may create again: the next holder must not inherit this
      // one's audit trail or traffic figures. The deletion itself is audited installation-wide.
      await tx.deleteFrom('audit_events').where('organization_id', '=', id).execute();
      await tx.deleteFrom('analytics_rollups').where('organization_id', '=', id).execute();
      await tx.deleteFrom('call_records').where('organization_id', '=', id).execute();
      await tables.organizations.delete(tx, id);
      await audit({ action: 'delete', entityType: 'organization', entityId: id, before: current.entity });
    });
  },

  async members(ctx: Ctx, id: string): Promise<Membership[]> {
    requireRole(ctx, id, 'admin');
    const rows = await ctx.store.db.selectFrom('memberships').selectAll().where('organization_id', '=', id).orderBy('user_id').execute();
    return rows.map((r) => ({ organizationId: r.organization_id, userId: r.user_id, role: r.role as Role, createdAt: r.created_at }));
  },

  /** Adds a member or changes their role. Only owners grant or take away ownership. */
  async setMember(ctx: Ctx, id: string, userId: string, role: Role): Promise<Membership> {
    requireRole(ctx, id, role === 'owner' ? 'owner' : 'admin');
    return write(ctx, id, async (tx, audit) => {
      await tables.organizations.get(tx, id);
      await tables.users.get(tx, userId);
      const before = await tx.selectFrom('memberships').selectAll().where('organization_id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      if (before?.role === 'owner') {
        requireRole(ctx, id, 'owner');
        const owners = await tx.selectFrom('memberships').select('user_id').where('organization_id', '=', id).where('role', '=', 'owner').execute();
        if (role !== 'owner' && owners.length === 1) throw new PorticoError('PORTICO_IN_USE', 'The last owner cannot give up ownership; make someone else owner first');
      }
      const now = ctx.clock.now().toISOString();
      await tx.deleteFrom('memberships').where('organization_id', '=', id).where('user_id', '=', userId).execute();
      await tx.insertInto('memberships').values({ organization_id: id, user_id: userId, role, created_at: before?.created_at ?? now }).execute();
      await audit({ action: 'set-member', entityType: 'organization', entityId: id, before: before ? { userId, role: before.role } : null, after: { userId, role } });
      return { organizationId: id, userId, role, createdAt: before?.created_at ?? now };
    });
  },

  async removeMember(ctx: Ctx, id: string, userId: string): Promise<void> {
    requireRole(ctx, id, 'admin');
    await write(ctx, id, async (tx, audit) => {
      const before = await tx.selectFrom('memberships').selectAll().where('organization_id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      if (!before) throw new PorticoError('PORTICO_NOT_FOUND', `User "${userId}" is not a member of "${id}"`);
      if (before.role === 'owner') {
        requireRole(ctx, id, 'owner');
        const owners = await tx.selectFrom('memberships').select('user_id').where('organization_id', '=', id).where('role', '=', 'owner').execute();
        if (owners.length === 1) throw new PorticoError('PORTICO_IN_USE', 'The last owner cannot leave the organization');
      }
      const apps = await tables.applications.count(tx, { organization_id: id, owner_user_id: userId });
      if (apps > 0) throw new PorticoError('PORTICO_IN_USE', `User "${userId}" owns ${apps} application(s) in "${id}"`);
      const groupIds = (await tx.selectFrom('groups').select('id').where('organization_id', '=', id).execute()).map((g) => g.id);
      if (groupIds.length > 0) await tx.deleteFrom('group_members').where('user_id', '=', userId).where('group_id', 'in', groupIds).execute();
      await tx.deleteFrom('memberships').where('organization_id', '=', id).where('user_id', '=', userId).execute();
      await audit({ action: 'remove-member', entityType: 'organization', entityId: id, before: { userId, role: before.role } });
    });
  },
};
