import { PorticoError } from '../core/errors.ts';
import { assertPlanEditable } from '../domain/plan.ts';
import type { Policy, PolicyCreate, PolicyUpdate } from '../domain/policy.ts';
import { POLICY_TYPES, validatePolicyConfig } from '../policies/registry.ts';
import { tables, type Tx } from '../store/index.ts';
import { OrgResource } from './resource.ts';

type NamedPolicy = Policy & { name: string };

function checkConfig(type: string, config: unknown, namedValues: Iterable<string> = []): void {
  const result = validatePolicyConfig(type, config, namedValues);
  if (result === 'unknown-type') {
    throw new PorticoError('PORTICO_VALIDATION_FAILED', `Unknown policy type "${type}"; known: ${POLICY_TYPES.map((t) => t.name).join(', ')}`, {
      errors: [{ pointer: '/type', message: 'unknown policy type' }],
    });
  }
  if (result.length > 0) throw new PorticoError('PORTICO_VALIDATION_FAILED', `Invalid ${type} config: ${result.map((e) => `${e.pointer} ${e.message}`).join('; ')}`, { errors: result });
}

/** The scope entity must exist in the organization; policies of a locked plan are frozen with it. */
async function checkScope(tx: Tx, p: Policy): Promise<void> {
  const { type, id } = p.scope;
  if (type === 'global') return;
  if (!id) throw new PorticoError('PORTICO_VALIDATION_FAILED', `A ${type} policy needs scope.id`, { errors: [{ pointer: '/scope/id', message: 'required' }] });
  const org = p.organizationId;
  const missing = () => new PorticoError('PORTICO_VALIDATION_FAILED', `No ${type} "${id}" in this organization`, { errors: [{ pointer: '/scope/id', message: `unknown ${type}` }] });
  if (type === 'operation') {
    const op = await tx.selectFrom('operations').innerJoin('apis', 'apis.id', 'operations.api_id').select('operations.id').where('operations.id', '=', id).where('apis.organization_id', '=', org).executeTakeFirst();
    if (!op) throw missing();
    return;
  }
  const table = ({ product: tables.products, plan: tables.plans, api: tables.apis, application: tables.applications } as const)[type as 'product' | 'plan' | 'api' | 'application'];
  const found = await table.find(tx, id, org);
  if (!found) throw missing();
  if (type === 'plan') assertPlanEditable(found.entity as never);
}

export const policies = new OrgResource<NamedPolicy, PolicyCreate, PolicyUpdate>({
  table: tables.policies as never,
  idPrefix: 'pol',
  entityType: 'policy',
  readRole: 'publisher',
  writeRole: 'publisher',
  build: (input, base) => {
    return { ...base, name: input.type, scope: { type: input.scope.type, id: input.scope.type === 'global' ? null : (input.scope.id ?? null) }, type: input.type, config: input.config, enabled: input.enabled ?? true, position: input.position ?? 0 };
  },
  merge: (current, patch) => ({ ...current, ...patch }),
  check: async (tx, p, previous) => {
    // Templates may name the organization's named values: validate with their names in hand.
    const names = (await tables.namedValues.all(tx, { organization_id: p.organizationId })).map((nv) => nv.name);
    checkConfig(p.type, p.config, names);
    if (previous) await checkScope(tx, previous);
    await checkScope(tx, p);
  },
  beforeDelete: checkScope,
});
