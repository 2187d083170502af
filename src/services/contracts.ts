import { PorticoError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { assertPlanLocked } from '../domain/plan.ts';
import { initialStatus, nextStatus, type Contract, type ContractAction, type ContractCreate } from '../domain/contract.ts';
import { tables, type Stored, type Tx } from '../store/index.ts';
import { applications } from './applications.ts';
import { productFilter } from './visibility.ts';
import { hasRole, requireRole, write, type Audit, type Ctx } from './context.ts';

const OPEN = ['pending', 'active', 'suspended'];

/**
 * Contracts link an application to a published product through a locked plan (Apiman's contract,
 * Azure's subscription). Manual-approval products start them as pending.
 */
export const contracts = {
  async list(ctx: Ctx, organizationId: string, page: { limit?: number | undefined; cursor?: string | undefined }, filter: { applicationId?: string | undefined }) {
    requireRole(ctx, organizationId, 'developer');
    const where: Record<string, string> = {};
    if (filter.applicationId) {
      await applications.get(ctx, organizationId, filter.applicationId);
      where.application_id = filter.applicationId;
    } else if (!hasRole(ctx, organizationId, 'publisher')) {
      // Developers list the contracts of their own applications only.
      const own = await ctx.store.db.selectFrom('applications').select('id').where('organization_id', '=', organizationId).where('owner_user_id', '=', ctx.actor.id).execute();
      const ids = new Set(own.map((r) => r.id));
      const all = await tables.contracts.list(ctx.store.db, { organizationId, limit: 1000 });
      return { items: all.items.filter((c) => ids.has(c.applicationId)), nextCursor: null };
    }
    return tables.contracts.list(ctx.store.db, { organizationId, limit: page.limit ?? 50, cursor: page.cursor, where });
  },

  async get(ctx: Ctx, organizationId: string, id: string): Promise<Stored<Contract>> {
    requireRole(ctx, organizationId, 'developer');
    const stored = await tables.contracts.get(ctx.store.db, id, organizationId);
    await applications.get(ctx, organizationId, stored.entity.applicationId);
    return stored;
  },

  async create(ctx: Ctx, organizationId: string, input: ContractCreate): Promise<Stored<Contract>> {
    requireRole(ctx, organizationId, 'developer');
    await applications.get(ctx, organizationId, input.applicationId);
    // Developers subscribe only to products they can see. Read before the transaction: on SQLite
    // the transaction holds the only connection.
    const visible = await productFilter(ctx, organizationId);
    if (visible !== null) {
      const product = await tables.products.find(ctx.store.db, input.productId, organizationId);
      if (!product || !visible(product.entity)) throw new PorticoError('PORTICO_NOT_FOUND', `Product "${input.productId}" does not exist`);
    }
    return write(ctx, organizationId, (tx, audit) => this.createIn(ctx, tx, audit, organizationId, input));
  },

  /** `create` inside the caller's transaction (role and application already checked). */
  async createIn(ctx: Ctx, tx: Tx, audit: Audit, organizationId: string, input: ContractCreate): Promise<Stored<Contract>> {
    {
      const product = await tables.products.find(tx, input.productId, organizationId);
      if (!product) throw new PorticoError('PORTICO_NOT_FOUND', `Product "${input.productId}" does not exist`);
      if (product.entity.state !== 'published') throw new PorticoError('PORTICO_PRODUCT_NOT_PUBLISHED', `Product "${product.entity.name}" is not published`);
      const plan = await tables.plans.find(tx, input.planId, organizationId);
      if (!plan || plan.entity.productId !== product.entity.id) throw new PorticoError('PORTICO_NOT_FOUND', `Plan "${input.planId}" does not exist in product "${product.entity.name}"`);
      assertPlanLocked(plan.entity);
      const productApis = await tx.selectFrom('apis').innerJoin('product_apis', 'product_apis.api_id', 'apis.id').select('apis.visibility').where('product_apis.product_id', '=', product.entity.id).execute();
      if (productApis.length > 0 && productApis.every((a) => a.visibility === 'public')) {
        throw new PorticoError('PORTICO_PUBLIC_API', `Product "${product.entity.name}" holds only public APIs, which take no contract`);
      }
      const existing = await tx.selectFrom('contracts').select('id').where('application_id', '=', input.applicationId).where('product_id', '=', input.productId).where('status', 'in', OPEN).executeTakeFirst();
      if (existing) throw new PorticoError('PORTICO_CONTRACT_EXISTS', `The application already has contract "${existing.id}" for this product`, { contractId: existing.id });
      const now = ctx.clock.now().toISOString();
      const contract: Contract = { id: newId('con'), organizationId, ...input, status: initialStatus(product.entity.approval), createdAt: now, updatedAt: now };
      const stored = await tables.contracts.insert(tx, contract);
      await audit({ action: 'create', entityType: 'contract', entityId: contract.id, after: contract });
      return stored;
    }
  },

  /** approve, reject, suspend and resume are the publisher's; the application's owner may cancel. */
  async transition(ctx: Ctx, organizationId: string, id: string, action: ContractAction): Promise<Stored<Contract>> {
    if (action === 'cancel') await this.get(ctx, organizationId, id);
    else requireRole(ctx, organizationId, 'publisher');
    return write(ctx, organizationId, (tx, audit) => this.transitionIn(ctx, tx, audit, organizationId, id, action));
  },

  /** `transition` inside the caller's transaction (role already checked). */
  async transitionIn(ctx: Ctx, tx: Tx, audit: Audit, organizationId: string, id: string, action: ContractAction): Promise<Stored<Contract>> {
    const current = await tables.contracts.get(tx, id, organizationId);
    const next: Contract = { ...current.entity, status: nextStatus(current.entity.status, action), updatedAt: ctx.clock.now().toISOString() };
    const stored = await tables.contracts.update(tx, next, current.version);
    await audit({ action, entityType: 'contract', entityId: id, before: current.entity, after: next });
    return stored;
  },

  /** Moves a contract to another locked version of the same plan (a publisher's migration). */
  async migrate(ctx: Ctx, organizationId: string, id: string, planId: string): Promise<Stored<Contract>> {
    requireRole(ctx, organizationId, 'publisher');
    return write(ctx, organizationId, async (tx, audit) => {
      const current = await tables.contracts.get(tx, id, organizationId);
      const from = await tables.plans.get(tx, current.entity.planId);
      const to = await tables.plans.find(tx, planId, organizationId);
      if (!to || to.entity.productId !== from.entity.productId || to.entity.name !== from.entity.name) {
        throw new PorticoError('PORTICO_NOT_FOUND', `Plan "${planId}" is not a version of plan "${from.entity.name}"`);
      }
      assertPlanLocked(to.entity);
      const next: Contract = { ...current.entity, planId, updatedAt: ctx.clock.now().toISOString() };
      const stored = await tables.contracts.update(tx, next, current.version);
      await audit({ action: 'migrate', entityType: 'contract', entityId: id, before: current.entity, after: next });
      return stored;
    });
  },
};
