import { PorticoError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { assertPlanEditable, type Plan, type PlanCreate, type PlanUpdate } from '../domain/plan.ts';
import { tables, type Stored, type Tx } from '../store/index.ts';
import { requireRole, write, type Audit, type Ctx } from './context.ts';
import { products } from './products.ts';
import { OrgResource, usage } from './resource.ts';

export type PlanInput = PlanCreate & { productId: string };

/** Plans: draft until locked, then immutable; a change is a new version (Apiman's model). */
export const plans = new OrgResource<Plan, PlanInput, PlanUpdate>({
  table: tables.plans,
  idPrefix: 'pln',
  entityType: 'plan',
  readRole: 'developer',
  writeRole: 'publisher',
  build: (input, base) => ({ ...base, productId: input.productId, name: input.name, description: input.description ?? '', planVersion: 1, status: 'draft', lockedAt: null }),
  merge: (current, patch) => ({ ...current, ...patch }),
  check: async (tx, plan, previous) => {
    if (previous) assertPlanEditable(previous);
    if (!(await tables.products.find(tx, plan.productId, plan.organizationId))) throw new PorticoError('PORTICO_NOT_FOUND', `Product "${plan.productId}" does not exist`);
  },
  usedBy: async (tx, e) => usage(await tables.contracts.count(tx, { plan_id: e.id }), 'contract'),
  beforeDelete: async (tx, e) => {
    await tx.deleteFrom('policies').where('scope_type', '=', 'plan').where('scope_id', '=', e.id).execute();
  },
});

export async function getPlanOfProduct(ctx: Ctx, organizationId: string, productId: string, planId: string): Promise<Stored<Plan>> {
  await products.get(ctx, organizationId, productId); // the product must be visible to the caller
  const stored = await plans.get(ctx, organizationId, planId);
  if (stored.entity.productId !== productId) throw new PorticoError('PORTICO_NOT_FOUND', `Plan "${planId}" does not exist in product "${productId}"`);
  return stored;
}

export async function lockPlan(ctx: Ctx, organizationId: string, planId: string): Promise<Stored<Plan>> {
  requireRole(ctx, organizationId, 'publisher');
  return write(ctx, organizationId, (tx, audit) => lockPlanIn(ctx, tx, audit, organizationId, planId));
}

/** `lockPlan` inside the caller's transaction (role already checked). */
export async function lockPlanIn(ctx: Ctx, tx: Tx, audit: Audit, organizationId: string, planId: string): Promise<Stored<Plan>> {
  const current = await tables.plans.get(tx, planId, organizationId);
  assertPlanEditable(current.entity);
  const now = ctx.clock.now().toISOString();
  const next: Plan = { ...current.entity, status: 'locked', lockedAt: now, updatedAt: now };
  const stored = await tables.plans.update(tx, next, current.version);
  await audit({ action: 'lock', entityType: 'plan', entityId: planId, before: current.entity, after: next });
  return stored;
}

/** A new draft version of a plan, with copies of its policies; contracts stay on the version they signed. */
export async function newPlanVersion(ctx: Ctx, organizationId: string, planId: string): Promise<Stored<Plan>> {
  requireRole(ctx, organizationId, 'publisher');
  return write(ctx, organizationId, (tx, audit) => newPlanVersionIn(ctx, tx, audit, organizationId, planId));
}

/** `newPlanVersion` inside the caller's transaction (role already checked). */
export async function newPlanVersionIn(ctx: Ctx, tx: Tx, audit: Audit, organizationId: string, planId: string): Promise<Stored<Plan>> {
  {
    const source = await tables.plans.get(tx, planId, organizationId);
    const latest = await tx
      .selectFrom('plans')
      .select((eb) => eb.fn.max('plan_version').as('v'))
      .where('product_id', '=', source.entity.productId)
      .where('name', '=', source.entity.name)
      .executeTakeFirstOrThrow();
    const now = ctx.clock.now().toISOString();
    const plan: Plan = { ...source.entity, id: newId('pln'), planVersion: Number(latest.v) + 1, status: 'draft', lockedAt: null, createdAt: now, updatedAt: now };
    const stored = await tables.plans.insert(tx, plan);
    for (const policy of await tables.policies.all(tx, { scope_type: 'plan', scope_id: planId })) {
      await tables.policies.insert(tx, { ...policy, id: newId('pol'), scope: { type: 'plan', id: plan.id }, createdAt: now, updatedAt: now });
    }
    await audit({ action: 'new-version', entityType: 'plan', entityId: plan.id, before: { from: planId }, after: plan });
    return stored;
  }
}
