/**
 * The effective policy chain of an API, as the gateway assembles it (DESIGN.md §2): global →
 * product → plan → API → operation → application, each scope ordered by position then id. What
 * depends on the caller (product, plan, application) is listed with the condition under which it
 * runs. The response and error phases run the same list in reverse.
 */
import { PorticoError } from '../core/errors.ts';
import type { Policy } from '../domain/policy.ts';
import { tables } from '../store/index.ts';
import { requireRole, type Ctx } from './context.ts';

export interface ChainEntry {
  order: number;
  scope: string;
  scopeId: string | null;
  /** When the policy runs: `every call`, `callers on product Gold Pack`, `operation GET /orders` … */
  appliesTo: string;
  policyId: string;
  type: string;
  config: Record<string, unknown>;
}

const byPosition = (a: Policy, b: Policy) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export async function policyChain(ctx: Ctx, organizationId: string, apiId: string): Promise<{ apiId: string; items: ChainEntry[] }> {
  requireRole(ctx, organizationId, 'publisher');
  const db = ctx.store.db;
  const api = await tables.apis.find(db, apiId, organizationId);
  if (api === null) throw new PorticoError('PORTICO_NOT_FOUND', `No API "${apiId}" in this organization`);
  const all = ((await tables.policies.all(db, { organization_id: organizationId })) as Policy[]).filter((p) => p.enabled).sort(byPosition);
  const at = (type: string, id: string | null) => all.filter((p) => p.scope.type === type && (p.scope.id ?? null) === id);
  const products = (await tables.products.all(db, { organization_id: organizationId })).filter((p) => p.apiIds.includes(apiId));
  const plans = (await tables.plans.all(db, { organization_id: organizationId })).filter((p) => products.some((pr) => pr.id === p.productId));
  const items: ChainEntry[] = [];
  const push = (list: Policy[], appliesTo: string) => {
    for (const p of list) items.push({ order: items.length + 1, scope: p.scope.type, scopeId: p.scope.id ?? null, appliesTo, policyId: p.id, type: p.type, config: p.config });
  };
  push(at('global', null), 'every call');
  for (const product of products) push(at('product', product.id), `callers on product ${product.name}`);
  for (const plan of plans) push(at('plan', plan.id), `callers on plan ${plan.name} version ${plan.planVersion}`);
  push(at('api', apiId), 'every call');
  for (const op of api.entity.operations) push(at('operation', op.id), `operation ${op.method} ${op.path}`);
  const apps = new Map((await tables.applications.all(db, { organization_id: organizationId })).map((a) => [a.id, a.name]));
  for (const p of all.filter((x) => x.scope.type === 'application')) push([p], `calls by application ${apps.get(p.scope.id ?? '') ?? p.scope.id}`);
  return { apiId, items };
}
