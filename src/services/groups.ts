import { PorticoError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { BUILTIN_GROUPS, type Group, type GroupCreate, type GroupUpdate } from '../domain/group.ts';
import { tables, type Tx } from '../store/index.ts';
import { requireRole, write, type Ctx } from './context.ts';
import { OrgResource, usage } from './resource.ts';

export const groups = new OrgResource<Group, GroupCreate, GroupUpdate>({
  table: tables.groups,
  idPrefix: 'grp',
  entityType: 'group',
  readRole: 'publisher',
  writeRole: 'admin',
  build: (input, base) => ({ ...base, name: input.name, description: input.description ?? '', builtin: false }),
  merge: (current, patch) => {
    if (current.builtin && patch.name !== undefined && patch.name !== current.name) {
      throw new PorticoError('PORTICO_CONFLICT', `The built-in group "${current.name}" cannot be renamed`);
    }
    return { ...current, ...patch };
  },
  usedBy: async (tx, e) => {
    if (e.builtin) return 'it is a built-in group';
    return usage(await tx.selectFrom('product_groups').select('product_id').where('group_id', '=', e.id).execute().then((r) => r.length), 'product');
  },
  beforeDelete: async (tx, e) => {
    await tx.deleteFrom('group_members').where('group_id', '=', e.id).execute();
  },
});

/** Every organization starts with the built-in groups. */
export async function createBuiltinGroups(tx: Tx, organizationId: string, now: string): Promise<void> {
  for (const name of BUILTIN_GROUPS) {
    await tables.groups.insert(tx, { id: newId('grp'), organizationId, name, description: `Built-in ${name} group`, builtin: true, createdAt: now, updatedAt: now });
  }
}

export async function listGroupMembers(ctx: Ctx, organizationId: string, groupId: string): Promise<string[]> {
  requireRole(ctx, organizationId, 'publisher');
  await tables.groups.get(ctx.store.db, groupId, organizationId);
  const rows = await ctx.store.db.selectFrom('group_members').select('user_id').where('group_id', '=', groupId).orderBy('user_id').execute();
  return rows.map((r) => r.user_id);
}

export async function setGroupMember(ctx: Ctx, organizationId: string, groupId: string, userId: string, member: boolean): Promise<void> {
  requireRole(ctx, organizationId, 'admin');
  await write(ctx, organizationId, async (tx, audit) => {
    await tables.groups.get(tx, groupId, organizationId);
    const inOrg = await tx.selectFrom('memberships').select('user_id').where('organization_id', '=', organizationId).where('user_id', '=', userId).executeTakeFirst();
    if (!inOrg) throw new PorticoError('PORTICO_NOT_FOUND', `User "${userId}" is not a member of "${organizationId}"`);
    await tx.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
    if (member) await tx.insertInto('group_members').values({ group_id: groupId, user_id: userId }).execute();
    await audit({ action: member ? 'add-member' : 'remove-member', entityType: 'group', entityId: groupId, after: { userId } });
  });
}
