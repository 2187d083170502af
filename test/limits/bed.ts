/**
 * A gateway in this process with a private API `/t` (key in X-API-Key) of product `prod_1`, plan
 * `plan_1`, and two applications with one active contract each; policies sit at plan scope unless
 * told otherwise. The counter store is the gateway's own memory store unless one is given.
 */
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import type { CounterStore } from '../../src/gateway/limits/index.ts';
import type { ResponseCache } from '../../src/policies/cache-store.ts';
import type { Snapshot, SnapshotConsumer, SnapshotPolicy } from '../../src/snapshot/types.ts';
import { api, backend, closeServer, echoBackend, listen, snapshot } from '../gateway/helpers.ts';
import type { PolicySpec } from '../policies/helpers.ts';

export const KEYS = { a: 'key-of-app-a-000000000000000000', b: 'key-of-app-b-000000000000000000' } as const;
export const CONTRACTS = { a: 'ctr_a', b: 'ctr_b' } as const;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function consumer(app: 'a' | 'b'): SnapshotConsumer {
  return {
    applicationId: `app_${app}`,
    organizationId: 'org_1',
    name: `app ${app}`,
    ownerUserId: `usr_${app}`,
    keyHashes: [sha(KEYS[app])],
    clientId: `client_${app}`,
    tokensNotBefore: 0,
    contracts: [{ id: CONTRACTS[app], status: 'active', productId: 'prod_1', planId: 'plan_1' }],
  };
}

let revision = 1;

/** The snapshot of the bed with these policies (plan scope by default). */
export function keyedSnapshot(backendUrl: string, policies: PolicySpec[]): Snapshot {
  const s = snapshot(++revision, [backend('b1', [backendUrl])], [api('api_t', '/t', 'b1', { visibility: 'private', apiKey: { header: 'X-API-Key', queryParam: null, forward: false } })]);
  s.consumers = [consumer('a'), consumer('b')];
  s.products = [{ id: 'prod_1', apiIds: ['api_t'] }];
  s.plans = [{ id: 'plan_1', name: 'Gold', version: 1 }];
  s.policies = policies.map(
    (p, i): SnapshotPolicy => ({
      id: p.id ?? `pol_${i}`,
      organizationId: 'org_1',
      scope: { type: p.scope ?? 'plan', id: p.scope === 'global' ? null : (p.scopeId ?? (p.scope === undefined || p.scope === 'plan' ? 'plan_1' : 'api_t')) },
      type: p.type,
      config: p.config,
      position: i,
    }),
  );
  return s;
}

export interface LimitsBed {
  gateway: Gateway;
  url: string;
  use(policies: PolicySpec[]): void;
  /** GET `/t<path>` as application `app`. */
  call(app: 'a' | 'b', path?: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function limitsBed(policies: PolicySpec[], options: { limits?: CounterStore; backend?: Server; cache?: ResponseCache } = {}): Promise<LimitsBed> {
  const backendServer = options.backend ?? echoBackend();
  const backendUrl = await listen(backendServer);
  const gateway = createGateway({ host: '127.0.0.1', port: 0, drainTimeoutMs: 2000, ...(options.limits ? { limits: options.limits } : {}), ...(options.cache ? { cache: options.cache } : {}) });
  const use = (list: PolicySpec[]) => gateway.apply(keyedSnapshot(backendUrl, list));
  use(policies);
  const { port } = await gateway.listen();
  const url = `http://127.0.0.1:${port}`;
  return {
    gateway,
    url,
    use,
    call: (app, path = '/x', init = {}) => fetch(`${url}/t${path}`, { ...init, headers: { 'x-api-key': KEYS[app], ...(init.headers as Record<string, string>) } }),
    async close() {
      await gateway.close();
      await closeServer(backendServer);
    },
  };
}
