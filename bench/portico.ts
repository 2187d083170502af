/**
 * Portico under benchmark. Usage:
 *   node --import tsx bench/portico.ts <backend-origin> <routes> <workers> [none | features joined by +]
 * Features: `key` (key auth, 1,000 applications), `analytics` (records shipped), `rl` / `rl-redis`
 * (a plan rate limit counted in memory / in Redis), `policies5` (five API policies: set-header, cors,
 * ip-filter, rewrite-path, and a choose whose condition is an expression).
 * One API at /bench (pass-through) plus `routes - 1` other APIs with operations, so the radix tree
 * really holds that many routes. `key+rl` adds a plan rate limit counted in memory, `key+rl-redis`
 * the same in Redis (`BENCH_REDIS_URL`, default redis://127.0.0.1:6379, strict mode); its limit is never reached, so every call pays
 * the counting and none is refused. Prints `ready <port>`.
 */
import { createHash } from 'node:crypto';
import { createGateway, runGatewayCluster, type SnapshotSource } from '../src/gateway/index.ts';
import { AnalyticsShipper } from '../src/gateway/analytics/shipper.ts';
import { RedisCounterStore } from '../src/gateway/limits/index.ts';
import { BENCH_KEY } from './key.ts';
import type { Snapshot, SnapshotApi } from '../src/snapshot/types.ts';

const [origin, routesArg, workersArg, mode = 'none'] = process.argv.slice(2);
const features = new Set(mode.split('+'));
const keyed = features.has('key');
const rateLimited = features.has('rl') || features.has('rl-redis');
const routes = Number(routesArg ?? 1);
// `cluster1` runs the cluster runner with a single worker (cost of the cluster path itself).
const useCluster = workersArg === 'cluster1' || Number(workersArg) > 1;
const workers = workersArg === 'cluster1' ? 1 : Number(workersArg ?? 1);

function apiAt(id: string, basePath: string, operations: SnapshotApi['operations']): SnapshotApi {
  return {
    id, organizationId: 'org', name: id, basePath, host: null, version: null, versioning: { scheme: 'none', name: null },
    visibility: 'public', backendId: 'b', operations, maxRequestBodyBytes: 1 << 20,
  };
}
const apis: SnapshotApi[] = [];
for (let i = 1; i < routes; i++) {
  // Spread over shared prefixes like real catalogues (/svc12/orders/{id}).
  apis.push(apiAt(`a${i}`, `/svc${i % 97}/res${i}`, [{ id: 'get', method: 'GET', path: '/{id}' }]));
}
apis.push({ ...apiAt('bench', '/bench', []), visibility: keyed ? 'private' : 'public' });
const atApi = (id: string, type: string, config: Record<string, unknown>, position: number) => ({ id, organizationId: 'org', scope: { type: 'api' as const, id: 'bench' }, type, config, position });
// "5 policies": what a typical public API carries; wrk sends no Origin, so CORS adds nothing but runs.
const FIVE_POLICIES = [
  atApi('p1', 'set-header', { name: 'X-Gateway', value: 'portico' }, 1),
  atApi('p2', 'cors', { origins: ['https://app.example.com'] }, 2),
  atApi('p3', 'ip-filter', { allow: ['127.0.0.0/8', '::1'] }, 3),
  atApi('p4', 'rewrite-path', { path: '/bench{{request.path}}' }, 4),
  atApi('p5', 'choose', { when: [{ condition: '"x-debug" in request.headers', policies: [{ type: 'set-header', config: { name: 'X-Debug', value: '1' } }] }] }, 5),
];
const snapshot: Snapshot = {
  revision: 1,
  generatedAt: new Date().toISOString(),
  backends: [
    {
      id: 'b', name: 'b', targets: [{ url: origin!, weight: 1 }], balancing: 'round-robin', connectTimeoutMs: 2000, readTimeoutMs: 10000,
      retries: 0, hostHeader: 'backend', circuitBreaker: { failureThreshold: 0, cooldownMs: 1000 }, tls: null,
    },
  ],
  apis,
  // "key auth": 1,000 applications, one of them holding the benchmark key with an active contract.
  ...(keyed
    ? {
        consumers: Array.from({ length: 1000 }, (_, i) => ({
          applicationId: `app${i}`,
          organizationId: 'org',
          name: `app${i}`,
          ownerUserId: null,
          keyHashes: [createHash('sha256').update(i === 0 ? BENCH_KEY : `pk_other_${i}`).digest('hex')],
          clientId: `cl${i}`,
          tokensNotBefore: 0,
          contracts: [{ id: `c${i}`, status: 'active' as const, productId: 'p', planId: 'plan' }],
        })),
        products: [{ id: 'p', apiIds: ['bench'] }],
        plans: [{ id: 'plan', name: 'Gold', version: 1 }],
      }
    : {}),
  policies: [
    ...(rateLimited ? [{ id: 'rl', organizationId: 'org', scope: { type: 'plan' as const, id: 'plan' }, type: 'rate-limit', config: { limit: 1_000_000_000, per: 'minute' }, position: 0 }] : []),
    ...(features.has('policies5') ? FIVE_POLICIES : []),
  ],
};
// "analytics": every call recorded and shipped in batches (to the backend nginx, which takes any
// body size and answers 200, as a control plane would); at exit the shipper sends its last records,
// then its counts are printed.
const analytics = features.has('analytics') ? new AnalyticsShipper({ controlPlaneUrl: origin!, token: 'bench', gateway: 'bench' }) : undefined;

const limits = features.has('rl-redis') ? new RedisCounterStore({ redis: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', namespace: `portico-bench:${process.pid}:` }) : undefined;
await limits?.ready();

if (!useCluster) {
  const gateway = createGateway({ host: '127.0.0.1', port: 0, ...(analytics ? { analytics } : {}), ...(limits ? { limits } : {}) });
  gateway.apply(snapshot);
  const { port } = await gateway.listen();
  console.log(`ready ${port}`);
  // The last records are shipped before the counts are printed: recorded = shipped + dropped + lost.
  process.on('SIGTERM', () => {
    void (async () => {
      await gateway.close();
      if (analytics !== undefined) {
        await analytics.close();
        console.error(`analytics records: ${JSON.stringify(analytics.stats)}`);
      }
      process.exit(0);
    })();
  });
} else {
  const source: SnapshotSource = { start: async (on) => on(snapshot), stop: async () => {} };
  const cluster = await runGatewayCluster({ workers, host: '127.0.0.1', port: 0, source });
  await new Promise((r) => setTimeout(r, 300)); // let every worker receive the snapshot
  console.log(`ready ${cluster.port}`);
}
