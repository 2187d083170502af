import { accessOf, type StoredApi } from '../domain/api.ts';
import type { Backend } from '../domain/backend.ts';
import { currentRevision, tables, type Store, type Tx } from '../store/index.ts';
import { buildAccess } from './access.ts';
import { operationSpecOf } from './operation-spec.ts';
import { buildPolicies } from './policies.ts';
import type { Snapshot, SnapshotApi, SnapshotBackend } from './types.ts';

const SERVED = new Set(['published', 'deprecated']);

function backendOf(b: Backend, clientKey: (org: string, name: string) => string | null): SnapshotBackend {
  return {
    id: b.id,
    name: b.name,
    targets: b.targets.map((t) => ({ url: t.url, weight: t.weight })),
    balancing: b.balancing as SnapshotBackend['balancing'],
    connectTimeoutMs: b.connectTimeoutMs,
    readTimeoutMs: b.readTimeoutMs,
    retries: b.retries,
    hostHeader: b.hostHeader as SnapshotBackend['hostHeader'],
    circuitBreaker: b.circuitBreaker,
    tls: b.tls
      ? {
          ca: b.tls.ca ?? null,
          cert: b.tls.clientCertificate ?? null,
          key: b.tls.clientKeyNamedValue ? clientKey(b.organizationId, b.tls.clientKeyNamedValue) : null,
          rejectUnauthorized: b.tls.rejectUnauthorized ?? true,
        }
      : null,
  };
}

function apiOf(a: StoredApi): SnapshotApi {
  return {
    id: a.id,
    organizationId: a.organizationId,
    name: a.name,
    basePath: a.basePath,
    host: a.host,
    version: a.version,
    versioning: { scheme: a.versioning.scheme as SnapshotApi['versioning']['scheme'], name: a.versioning.name },
    visibility: a.visibility as SnapshotApi['visibility'],
    backendId: a.backendId,
    operations: a.operations.map((o) => {
      const spec = operationSpecOf(a.openapi, o.method, o.path);
      return spec === undefined ? { id: o.id, method: o.method, path: o.path } : { id: o.id, method: o.method, path: o.path, spec };
    }),
    maxRequestBodyBytes: a.maxRequestBodyBytes,
    apiKey: { header: a.apiKeyHeader, queryParam: a.apiKeyQueryParam, forward: a.forwardApiKey },
    ...accessOf(a),
  };
}

/**
 * Reads everything a gateway needs in one read transaction, so the snapshot is consistent with
 * the revision it carries. Secrets (backend client keys) are opened here and travel only to
 * authenticated gateways; `reveal` must read through the given transaction (on SQLite the
 * transaction holds the only connection, so reading through the store would wait forever).
 */
export async function buildSnapshot(
  store: Store,
  reveal: (org: string, name: string, tx: Tx) => Promise<string | null>,
  options: { issuer?: string } = {},
): Promise<Snapshot> {
  return store.db.transaction().execute(async (tx) => {
    const revision = await currentRevision(tx);
    const apis = (await tables.apis.all(tx)).filter((a) => SERVED.has(a.lifecycle));
    const used = new Set(apis.map((a) => a.backendId));
    const backends = (await tables.backends.all(tx)).filter((b) => used.has(b.id));
    const keys = new Map<string, string | null>();
    for (const b of backends) {
      const name = b.tls?.clientKeyNamedValue;
      if (name) keys.set(`${b.organizationId}/${name}`, await reveal(b.organizationId, name, tx));
    }
    return {
      revision,
      generatedAt: new Date().toISOString(),
      backends: backends.map((b) => backendOf(b, (org, name) => keys.get(`${org}/${name}`) ?? null)),
      apis: apis.map(apiOf),
      ...(await buildAccess(tx, options.issuer ?? null)),
      ...(await buildPolicies(tx, reveal)),
    };
  });
}
