import { PorticoError } from '../core/errors.ts';
import { newId, randomToken } from '../core/ids.ts';
import { sha256 } from '../core/crypto.ts';
import type { Application, ApplicationCreate, ApplicationUpdate, KeySlot } from '../domain/application.ts';
import { isUniqueViolation, tables, type Tx } from '../store/index.ts';
import { hasRole, requireRole, write, type Audit, type Ctx } from './context.ts';
import { hashApiKey, newApiKey } from './keys.ts';
import { OrgResource } from './resource.ts';

/** The application's data as stored: the OAuth client secret only as a hash. */
export type StoredApplication = Application & {
  clientSecretHash?: string;
  /** Access tokens issued before this time (Unix seconds) are revoked; set when the secret changes. */
  tokensNotBefore?: number;
};

const resource = new OrgResource<Application, never, ApplicationUpdate>({
  table: tables.applications,
  idPrefix: 'app',
  entityType: 'application',
  readRole: 'developer',
  writeRole: 'developer',
  build: () => {
    throw new Error('applications are built by applications.create');
  },
  merge: (current, patch) => ({ ...current, ...patch }),
  check: async (tx, app) => {
    if (app.ownerUserId) {
      const member = await tx.selectFrom('memberships').select('user_id').where('organization_id', '=', app.organizationId).where('user_id', '=', app.ownerUserId).executeTakeFirst();
      if (!member) throw new PorticoError('PORTICO_VALIDATION_FAILED', `User "${app.ownerUserId}" is not a member of this organization`, { errors: [{ pointer: '/ownerUserId', message: 'not a member' }] });
    }
  },
  usedBy: async (tx, e) => {
    const open = await tx.selectFrom('contracts').select('id').where('application_id', '=', e.id).where('status', 'in', ['pending', 'active', 'suspended']).execute();
    return open.length > 0 ? `it has ${open.length} open contract${open.length === 1 ? '' : 's'}; cancel them first` : null;
  },
  beforeDelete: async (tx, e) => {
    await tx.deleteFrom('api_keys').where('application_id', '=', e.id).execute();
    await tx.deleteFrom('contracts').where('application_id', '=', e.id).execute();
    await tx.deleteFrom('policies').where('scope_type', '=', 'application').where('scope_id', '=', e.id).execute();
  },
  present: (e) => {
    const { clientSecretHash: _hidden, tokensNotBefore: _cutOff, ...rest } = e as StoredApplication;
    return rest;
  },
});

/** Developers see and change only their own applications; publishers and above see all. */
function assertOwner(ctx: Ctx, app: Application): void {
  if (hasRole(ctx, app.organizationId, 'publisher')) return;
  if (app.ownerUserId !== ctx.actor.id) throw new PorticoError('PORTICO_NOT_FOUND', `Application "${app.id}" does not exist`);
}

async function storeKey(ctx: Ctx, tx: Tx, applicationId: string, slot: KeySlot, key: string): Promise<void> {
  await tx.deleteFrom('api_keys').where('application_id', '=', applicationId).where('slot', '=', slot).execute();
  await tx.insertInto('api_keys').values({ hash: hashApiKey(key), application_id: applicationId, slot, sealed: ctx.sealer.seal(key), created_at: ctx.clock.now().toISOString() }).execute();
}

export interface CreatedApplication {
  application: Application;
  version: number;
  clientSecret: string;
}

export const applications = {
  present: (e: Application) => resource.present(e),

  async list(ctx: Ctx, organizationId: string, page: { limit?: number | undefined; cursor?: string | undefined }) {
    requireRole(ctx, organizationId, 'developer');
    const own = hasRole(ctx, organizationId, 'publisher') ? undefined : { owner_user_id: ctx.actor.id };
    return resource.list(ctx, organizationId, page, own);
  },

  async get(ctx: Ctx, organizationId: string, id: string) {
    const stored = await resource.get(ctx, organizationId, id);
    assertOwner(ctx, stored.entity);
    return stored;
  },

  /** Creates the application with its key pair; `primaryKey` makes the demo key deterministic. */
  async create(ctx: Ctx, organizationId: string, input: ApplicationCreate, options: { primaryKey?: string } = {}): Promise<CreatedApplication> {
    requireRole(ctx, organizationId, 'developer');
    return write(ctx, organizationId, (tx, audit) => this.createIn(ctx, tx, audit, organizationId, input, options));
  },

  /** `create` inside the caller's transaction (role already checked). */
  async createIn(ctx: Ctx, tx: Tx, audit: Audit, organizationId: string, input: ApplicationCreate, options: { primaryKey?: string } = {}): Promise<CreatedApplication> {
    let ownerUserId = input.ownerUserId ?? null;
    if (!hasRole(ctx, organizationId, 'publisher')) ownerUserId = ctx.actor.id; // developers own what they create
    else if (ownerUserId === null && ctx.actor.kind === 'user') ownerUserId = ctx.actor.id;
    const clientSecret = randomToken(32);
    const now = ctx.clock.now().toISOString();
    const app: StoredApplication = {
      id: newId('app'),
      organizationId,
      name: input.name,
      description: input.description ?? '',
      ownerUserId,
      clientId: `cl_${randomToken(12)}`,
      clientSecretHash: sha256(clientSecret),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await resource.rules.check?.(tx, app, null);
      const inserted = await tables.applications.insert(tx, app);
      await storeKey(ctx, tx, app.id, 'primary', options.primaryKey ?? newApiKey());
      await storeKey(ctx, tx, app.id, 'secondary', newApiKey());
      await audit({ action: 'create', entityType: 'application', entityId: app.id, after: resource.present(app) });
      return { application: resource.present(inserted.entity), version: inserted.version, clientSecret };
    } catch (error) {
      if (isUniqueViolation(error)) throw new PorticoError('PORTICO_CONFLICT', `An application named "${app.name}" or that API key already exists`);
      throw error;
    }
  },

  /** Update and delete inside the caller's transaction (role already checked). */
  updateIn: (ctx: Ctx, tx: Tx, audit: Audit, organizationId: string, id: string, patch: ApplicationUpdate) => resource.updateIn(ctx, tx, audit, organizationId, id, patch, null),
  deleteIn: (tx: Tx, audit: Audit, organizationId: string, id: string) => resource.deleteIn(tx, audit, organizationId, id, null),

  async update(ctx: Ctx, organizationId: string, id: string, patch: ApplicationUpdate, ifMatch: number | null) {
    await this.get(ctx, organizationId, id);
    return resource.update(ctx, organizationId, id, patch, ifMatch);
  },

  async delete(ctx: Ctx, organizationId: string, id: string, ifMatch: number | null) {
    await this.get(ctx, organizationId, id);
    return resource.delete(ctx, organizationId, id, ifMatch);
  },

  /** The owner (or a publisher) can read the keys back: they are sealed, not hashed only. */
  async revealKeys(ctx: Ctx, organizationId: string, id: string): Promise<Record<KeySlot, string>> {
    await this.get(ctx, organizationId, id);
    const rows = await ctx.store.db.selectFrom('api_keys').select(['slot', 'sealed']).where('application_id', '=', id).execute();
    const keys = { primary: '', secondary: '' };
    for (const row of rows) keys[row.slot as KeySlot] = ctx.sealer.open(row.sealed);
    return keys;
  },

  /** Replaces one key of the pair; the other keeps working, so clients rotate without downtime. */
  async regenerateKey(ctx: Ctx, organizationId: string, id: string, slot: KeySlot): Promise<Record<KeySlot, string>> {
    await this.get(ctx, organizationId, id);
    await write(ctx, organizationId, async (tx, audit) => {
      await storeKey(ctx, tx, id, slot, newApiKey());
      await audit({ action: `regenerate-${slot}-key`, entityType: 'application', entityId: id });
    });
    return this.revealKeys(ctx, organizationId, id);
  },

  /**
   * A new OAuth client secret; the old one stops working at once, and so do the access tokens
   * issued with it: `tokensNotBefore` (next whole second) travels to gateways in the snapshot, and
   * tokens issued from now on carry an `iat` no earlier than it.
   */
  async regenerateSecret(ctx: Ctx, organizationId: string, id: string): Promise<{ clientId: string; clientSecret: string }> {
    const { entity } = await this.get(ctx, organizationId, id);
    const clientSecret = randomToken(32);
    await write(ctx, organizationId, async (tx, audit) => {
      const current = await tables.applications.get(tx, id, organizationId);
      await tables.applications.update(tx, { ...current.entity, clientSecretHash: sha256(clientSecret), tokensNotBefore: Math.floor(ctx.clock.now().getTime() / 1000) + 1, updatedAt: ctx.clock.now().toISOString() } as StoredApplication, current.version);
      await audit({ action: 'regenerate-client-secret', entityType: 'application', entityId: id });
    });
    return { clientId: entity.clientId, clientSecret };
  },
};
