import { PorticoError } from '../core/errors.ts';
import { newId, randomToken } from '../core/ids.ts';
import { sha256 } from '../core/crypto.ts';
import type { Role } from '../domain/common.ts';
import type { ServiceKey, ServiceKeyCreate, ServiceKeyCredentials } from '../domain/service-key.ts';
import { isUniqueViolation, tables } from '../store/index.ts';
import type { StoredServiceKey } from '../store/tables.ts';
import { requireAdmin, requireRole, write, type Ctx } from './context.ts';

function present(k: StoredServiceKey): ServiceKey {
  const { secretHash: _hidden, ...rest } = k;
  return rest;
}

function authorize(ctx: Ctx, organizationId: string | null): void {
  if (organizationId === null) requireAdmin(ctx);
  else requireRole(ctx, organizationId, 'admin');
}

/**
 * Service keys: client id + secret for automation (CI, the CLI, scripts). The secret is random
 * (256 bits) and stored as SHA-256, shown once at creation with the URLs needed to get a token.
 */
export const serviceKeys = {
  async list(ctx: Ctx, organizationId: string | null): Promise<ServiceKey[]> {
    authorize(ctx, organizationId);
    const rows = await ctx.store.db.selectFrom('service_keys').selectAll().where('revoked', '=', 0).orderBy('id').execute();
    return rows.filter((r) => r.organization_id === organizationId).map((r) => present({ ...(JSON.parse(r.data) as StoredServiceKey), id: r.id, createdAt: r.created_at, updatedAt: r.updated_at }));
  },

  async create(
    ctx: Ctx,
    organizationId: string | null,
    input: ServiceKeyCreate,
    urls: { url: string; tokenUrl: string },
    fixed?: { clientId: string; clientSecret: string },
  ): Promise<ServiceKeyCredentials> {
    authorize(ctx, organizationId);
    const role: Role = input.role ?? 'admin';
    if (organizationId !== null && role === 'owner') requireRole(ctx, organizationId, 'owner');
    const clientSecret = fixed?.clientSecret ?? randomToken(32);
    const now = ctx.clock.now().toISOString();
    const key: StoredServiceKey = {
      id: newId('sk'),
      name: input.name,
      organizationId,
      role: organizationId === null ? 'owner' : role,
      clientId: fixed?.clientId ?? `sk_${randomToken(12)}`,
      secretHash: sha256(clientSecret),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await write(ctx, organizationId, async (tx, audit) => {
        await tables.serviceKeys.insert(tx, key);
        await audit({ action: 'create', entityType: 'service-key', entityId: key.id, after: present(key) });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new PorticoError('PORTICO_CONFLICT', `Client id "${key.clientId}" is already in use`);
      throw error;
    }
    return { ...present(key), clientSecret, ...urls };
  },

  async revoke(ctx: Ctx, organizationId: string | null, id: string): Promise<void> {
    authorize(ctx, organizationId);
    await write(ctx, organizationId, async (tx, audit) => {
      const row = await tx.selectFrom('service_keys').select(['id', 'organization_id']).where('id', '=', id).where('revoked', '=', 0).executeTakeFirst();
      if (!row || row.organization_id !== organizationId) throw new PorticoError('PORTICO_NOT_FOUND', `Service key "${id}" does not exist`);
      await tx.updateTable('service_keys').set({ revoked: 1 }).where('id', '=', id).execute();
      await audit({ action: 'revoke', entityType: 'service-key', entityId: id });
    });
  },
};
