import { PorticoError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { User, UserCreate, UserUpdate } from '../domain/user.ts';
import { isUniqueViolation, tables, type Stored } from '../store/index.ts';
import type { StoredUser } from '../store/tables.ts';
import { requireAdmin, write, type Ctx } from './context.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

function present(u: StoredUser): User {
  const { passwordHash: _hidden, ...rest } = u;
  return rest;
}

/** Users are installation-wide; organizations hold them as members with a role. */
export const users = {
  present,

  async list(ctx: Ctx, page: { limit?: number | undefined; cursor?: string | undefined }) {
    requireAdmin(ctx);
    const result = await tables.users.list(ctx.store.db, { limit: page.limit ?? 50, cursor: page.cursor });
    return { items: result.items.map(present), nextCursor: result.nextCursor };
  },

  async get(ctx: Ctx, id: string): Promise<Stored<User>> {
    if (!ctx.actor.isAdmin && ctx.actor.id !== id) throw new PorticoError('PORTICO_NOT_FOUND', `User "${id}" does not exist`);
    const stored = await tables.users.get(ctx.store.db, id);
    return { entity: present(stored.entity), version: stored.version };
  },

  async create(ctx: Ctx, input: UserCreate): Promise<Stored<User>> {
    requireAdmin(ctx);
    const now = ctx.clock.now().toISOString();
    const user: StoredUser = {
      id: newId('usr'),
      email: input.email.toLowerCase(),
      name: input.name,
      isAdmin: input.isAdmin ?? false,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      return await write(ctx, null, async (tx, audit) => {
        const stored = await tables.users.insert(tx, user);
        await audit({ action: 'create', entityType: 'user', entityId: user.id, after: present(user) });
        return { entity: present(stored.entity), version: stored.version };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new PorticoError('PORTICO_CONFLICT', `A user with email "${user.email}" already exists`);
      throw error;
    }
  },

  async update(ctx: Ctx, id: string, patch: UserUpdate, ifMatch: number | null): Promise<Stored<User>> {
    if (!ctx.actor.isAdmin && ctx.actor.id !== id) throw new PorticoError('PORTICO_NOT_FOUND', `User "${id}" does not exist`);
    if (patch.password && !ctx.actor.isAdmin) {
      // A stolen session must not be enough to take the account over for good.
      const row = await ctx.store.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst();
      if (!row?.password_hash || !patch.currentPassword || !(await verifyPassword(row.password_hash, patch.currentPassword))) {
        throw new PorticoError('PORTICO_INVALID_CREDENTIALS', 'Changing your password needs your current password (currentPassword)');
      }
    }
    const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
    return write(ctx, null, async (tx, audit) => {
      const current = await tables.users.get(tx, id);
      const next: StoredUser = { ...current.entity, name: patch.name ?? current.entity.name, passwordHash: passwordHash ?? current.entity.passwordHash, updatedAt: ctx.clock.now().toISOString() };
      const stored = await tables.users.update(tx, next, ifMatch ?? current.version);
      if (passwordHash) await tx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await audit({ action: 'update', entityType: 'user', entityId: id, before: present(current.entity), after: present(next) });
      return { entity: present(stored.entity), version: stored.version };
    });
  },
};
