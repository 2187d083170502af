/** Fixtures for policy tests through the real gateway: an echo backend and snapshots with policies. */
import { sha256 } from '../../src/core/crypto.ts';
import { validatePolicyConfig } from '../../src/policies/registry.ts';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Snapshot, SnapshotPolicy, SnapshotPolicyScope } from '../../src/snapshot/types.ts';
import type { Gateway } from '../../src/gateway/index.ts';
import { api, backend, closeServer, echoBackend, listen, snapshot, startGateway } from '../gateway/helpers.ts';

export interface PolicyBed {
  gateway: Gateway;
  url: string;
  backendUrl: string;
  /** Replaces the policies (a new snapshot revision); `extra` adds consumers, products, plans. */
  use(policies: PolicySpec[], namedValues?: Record<string, string>, extra?: Partial<Snapshot>): void;
  close(): Promise<void>;
}

export interface PolicySpec {
  type: string;
  config: Record<string, unknown>;
  scope?: SnapshotPolicyScope;
  scopeId?: string | null;
  id?: string;
}

let revision = 1;

/** A public API `/t` on `org_1` proxying to an echo backend, with the given policies at API scope by default. */
export async function policyBed(policies: PolicySpec[] = [], backendServer: Server = echoBackend(), apiExtra: Parameters<typeof api>[3] = {}, logger?: Logger): Promise<PolicyBed> {
  const backendUrl = await listen(backendServer);
  const { gateway, url } = await startGateway(undefined, undefined, logger);
  const use = (list: PolicySpec[], namedValues: Record<string, string> = {}, extra: Partial<Snapshot> = {}) => {
    const s = snapshot(++revision, [backend('b1', [backendUrl])], [api('api_t', '/t', 'b1', apiExtra)]);
    s.policies = list.map(
      (p, i): SnapshotPolicy => ({
        id: p.id ?? `pol_${i}`,
        organizationId: 'org_1',
        scope: { type: p.scope ?? 'api', id: p.scope === 'global' ? null : (p.scopeId ?? 'api_t') },
        type: p.type,
        config: p.config,
        position: i,
      }),
    );
    s.namedValues = Object.entries(namedValues).map(([name, value]) => ({ organizationId: 'org_1', name, value }));
    gateway.apply({ ...s, ...extra });
  };
  use(policies);
  return {
    gateway,
    url,
    backendUrl,
    use,
    async close() {
      await gateway.close();
      await closeServer(backendServer);
    },
  };
}

/** The distinct JSON pointers of the problems a config has (`['unknown-type']` for an unknown type). */
export function pointers(type: string, config: unknown, namedValues: string[] = []): string[] {
  const result = validatePolicyConfig(type, config, namedValues);
  return result === 'unknown-type' ? [result] : [...new Set(result.map((e) => e.pointer))];
}

/** One application (key `key`) with an active contract on a product covering `api_t`: for `use(…, {}, keyed(key))` on a private API. */
export function keyed(key: string): Partial<Snapshot> {
  return {
    consumers: [
      {
        applicationId: 'app_1',
        organizationId: 'org_1',
        name: 'app',
        ownerUserId: null,
        keyHashes: [sha256(key)],
        clientId: 'client_1',
        tokensNotBefore: 0,
        contracts: [{ id: 'con_1', status: 'active', productId: 'prod_1', planId: 'plan_1' }],
      },
    ],
    products: [{ id: 'prod_1', apiIds: ['api_t'] }],
    plans: [{ id: 'plan_1', name: 'Gold', version: 1 }],
  };
}
