/**
 * An application's usage against the limits of its contracts, and the administrator's reset.
 * The counts live in the gateway's counter store, not in the database: the control plane reads
 * the store it was given — the in-process gateway's (`portico start`) or Redis, shared by every
 * gateway — and says which it read. Without one it cannot know, and says so (409).
 */
import { PorticoError } from '../core/errors.ts';
import type { Counters } from '../policies/counters.ts';
import { contractPrefix, applicationPrefix } from '../policies/traffic/keys.ts';
import { countedLimit, limitKey } from '../policies/traffic/usage.ts';
import { tables } from '../store/index.ts';
import { applications } from './applications.ts';
import { requireRole, type Ctx } from './context.ts';

/** The store the control plane reads, and what its counts cover. */
export interface UsageSource {
  readonly counters: Pick<Counters, 'usage' | 'reset'>;
  /** `gateway`: the counts of the gateway in this process only; `shared`: Redis, every gateway's. */
  readonly coverage: 'gateway' | 'shared';
}

export interface LimitUsage {
  policyId: string;
  type: string;
  scope: { type: string; id: string | null };
  /** Counted per this contract, or per the application (null). */
  contractId: string | null;
  limit: number;
  used: number;
  remaining: number;
  resetSeconds: number;
}

const OPEN = new Set(['active', 'suspended']);
const SCOPES = new Set(['global', 'product', 'plan', 'application']);

async function subject(ctx: Ctx, organizationId: string, applicationId: string) {
  await applications.get(ctx, organizationId, applicationId);
  const contracts = (await tables.contracts.all(ctx.store.db, { organization_id: organizationId, application_id: applicationId })).filter((c) => OPEN.has(c.status));
  return contracts;
}

function unavailable(): PorticoError {
  return new PorticoError('PORTICO_LIMITS_UNAVAILABLE', 'This control plane cannot read the gateways\' counters: configure Redis (PORTICO_REDIS_URL), or run `portico start` with one worker');
}

/** Redis refused or timed out: the same answer, so a client can tell "try later" from a bug. */
async function reading<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof PorticoError) throw error;
    throw new PorticoError('PORTICO_LIMITS_UNAVAILABLE', `The counter store cannot be read: ${(error as Error).message}`);
  }
}

export const usage = {
  async of(ctx: Ctx, source: UsageSource | null, organizationId: string, applicationId: string): Promise<{ coverage: UsageSource['coverage']; limits: LimitUsage[] }> {
    requireRole(ctx, organizationId, 'developer');
    const contracts = await subject(ctx, organizationId, applicationId);
    if (source === null) throw unavailable();
    const policies = (await tables.policies.all(ctx.store.db, { organization_id: organizationId })).filter((p) => p.enabled && SCOPES.has(p.scope.type));
    const now = ctx.clock.now().getTime();
    const out: LimitUsage[] = [];
    const read = async (p: (typeof policies)[number], contractId: string | null) => {
      const counted = countedLimit(p.type, p.config);
      if (counted === null || (counted.per === 'application') !== (contractId === null)) return;
      const u = await source.counters.usage(limitKey(counted.per, contractId ?? applicationId, p.id), counted.rule, now);
      out.push({ policyId: p.id, type: p.type, scope: p.scope, contractId, limit: u.limit, used: u.used, remaining: u.remaining, resetSeconds: Math.ceil(u.resetMs / 1000) });
    };
    await reading(async () => {
    for (const c of contracts) {
      const applies = (p: (typeof policies)[number]) =>
        p.scope.type === 'global' || (p.scope.type === 'product' && p.scope.id === c.productId) || (p.scope.type === 'plan' && p.scope.id === c.planId) || (p.scope.type === 'application' && p.scope.id === applicationId);
      for (const p of policies) if (applies(p)) await read(p, c.id);
    }
    for (const p of policies) if (p.scope.type === 'application' && p.scope.id === applicationId) await read(p, null);
    });
    return { coverage: source.coverage, limits: out };
  },

  /** Restarts every rate and quota count of the application's contracts (or of one of them). */
  async reset(ctx: Ctx, source: UsageSource | null, organizationId: string, applicationId: string, contractId?: string): Promise<{ removed: number }> {
    requireRole(ctx, organizationId, 'admin');
    const contracts = await subject(ctx, organizationId, applicationId);
    if (source === null) throw unavailable();
    const prefixes = contractId === undefined ? [...contracts.map((c) => contractPrefix(c.id)), applicationPrefix(applicationId)] : [contractPrefix(contractId)];
    if (contractId !== undefined && !contracts.some((c) => c.id === contractId)) throw new PorticoError('PORTICO_NOT_FOUND', `Application "${applicationId}" has no open contract "${contractId}"`);
    let removed = 0;
    await reading(async () => {
      for (const prefix of prefixes) removed += await source.counters.reset(prefix);
    });
    return { removed };
  },
};
