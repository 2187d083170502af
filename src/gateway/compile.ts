/**
 * Snapshot → runtime (STYLE.md habit 3: compile once, read on every request). Validates what the
 * request path relies on and throws a descriptive Error on the first problem, so a bad snapshot
 * never replaces a good one.
 */
import { METHODS } from 'node:http';
import type { Snapshot, SnapshotApi, SnapshotBackend, SnapshotOperation } from '../snapshot/types.ts';
import { compileAccess, compileRouteAccess, type AccessTables } from './access.ts';
import { compilePolicies, ownParts, RoutePolicies, type ChainPart, type CompileReport, type OrgPolicies } from './pipeline/chain.ts';
import { Router } from './router.ts';
import type { CompiledBackend, CompiledRoute, RouteTarget } from './runtime.ts';
import { createBalancer } from './upstream/balancer.ts';
import type { UpstreamRegistry } from './upstream/pool.ts';

const KNOWN_METHODS = new Set(METHODS);

export interface CompiledSnapshot {
  readonly revision: number;
  readonly router: Router;
  /** Consumers by key hash and by id, product coverage, token keys. */
  readonly access: AccessTables;
  /** Policies that could not be compiled (id → reason); they refuse their calls. */
  readonly brokenPolicies: ReadonlyMap<string, string>;
}

export function compileSnapshot(snapshot: Snapshot, upstreams: UpstreamRegistry, used: Set<string>): CompiledSnapshot {
  if (snapshot === null || typeof snapshot !== 'object' || !Number.isInteger(snapshot.revision)) {
    throw new Error('snapshot: revision must be an integer');
  }
  if (!Array.isArray(snapshot.backends) || !Array.isArray(snapshot.apis)) throw new Error('snapshot: backends and apis must be arrays');
  const backends = new Map<string, CompiledBackend>();
  for (const b of snapshot.backends) {
    if (backends.has(b.id)) throw new Error(`backend ${b.id}: duplicate id`);
    backends.set(b.id, compileBackend(b, upstreams, used));
  }
  const router = new Router();
  const report: CompileReport = { broken: new Map() };
  const policies = compilePolicies(snapshot, report);
  for (const api of snapshot.apis) {
    const backend = backends.get(api.backendId);
    if (backend === undefined) throw new Error(`api ${api.id}: unknown backend ${api.backendId}`);
    addApi(router, api, backend, policies.get(api.organizationId), report);
  }
  const access = compileAccess(snapshot);
  return Object.freeze({ revision: snapshot.revision, router: router.freeze(), access, brokenPolicies: report.broken });
}

function compileBackend(b: SnapshotBackend, upstreams: UpstreamRegistry, used: Set<string>): CompiledBackend {
  if (!Array.isArray(b.targets) || b.targets.length === 0) throw new Error(`backend ${b.id}: no targets`);
  for (const n of ['connectTimeoutMs', 'readTimeoutMs', 'retries'] as const) {
    if (!Number.isFinite(b[n]) || b[n] < 0) throw new Error(`backend ${b.id}: ${n} must be a non-negative number`);
  }
  const targets: RouteTarget[] = b.targets.map((t) => {
    let url: URL;
    try {
      url = new URL(t.url);
    } catch {
      throw new Error(`backend ${b.id}: target URL ${t.url} is not valid`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`backend ${b.id}: target ${t.url} must be http or https`);
    if (url.search !== '' || url.hash !== '') throw new Error(`backend ${b.id}: target ${t.url} must not carry a query or fragment`);
    const secure = url.protocol === 'https:';
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const address = { origin: url.origin, hostname, secure };
    return Object.freeze({
      url: t.url,
      hostname,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      secure,
      basePath: url.pathname.replace(/\/+$/, ''),
      authority: url.host,
      weight: Number.isFinite(t.weight) ? t.weight : 1,
      pool: upstreams.pool(b, address, used),
      breaker: upstreams.breaker(b, t.url, used),
    });
  });
  return Object.freeze({
    id: b.id,
    targets,
    balancer: createBalancer(b.balancing, targets),
    retries: Math.floor(b.retries),
    preserveHost: b.hostHeader === 'preserve',
    connectTimeoutMs: b.connectTimeoutMs,
    readTimeoutMs: b.readTimeoutMs,
    tls: b.tls,
  });
}

function addApi(router: Router, api: SnapshotApi, backend: CompiledBackend, org: OrgPolicies | undefined, report: CompileReport): void {
  const where = `api ${api.id}`;
  let base = api.basePath;
  if (typeof base !== 'string' || !base.startsWith('/')) throw new Error(`${where}: basePath must start with /`);
  base = base.replace(/\/+$/, '');
  const scheme = api.versioning?.scheme ?? 'none';
  let prefix = base;
  if (scheme !== 'none') {
    if (api.version === null || api.version === '') throw new Error(`${where}: versioning ${scheme} needs a version`);
    if (scheme === 'path') prefix = `${base}/${api.version}`;
    else if (api.versioning.name === null || api.versioning.name === '') throw new Error(`${where}: versioning ${scheme} needs a name`);
  }
  if (!Number.isFinite(api.maxRequestBodyBytes) || api.maxRequestBodyBytes < 0) throw new Error(`${where}: maxRequestBodyBytes must be a non-negative number`);
  const access = compileRouteAccess(api, where);
  const apiView = Object.freeze({ id: api.id, name: api.name, version: api.version, organizationId: api.organizationId });
  const shared = new Map<string, ChainPart>();
  const route = (op: SnapshotOperation | null): CompiledRoute => {
    const own = ownParts(org, api.id, op?.id ?? null, op?.spec ?? null, report, shared);
    return Object.freeze({
      apiId: api.id,
      organizationId: api.organizationId,
      operationId: op?.id ?? null,
      api: apiView,
      operation: op === null ? null : Object.freeze({ id: op.id, method: op.method.toUpperCase(), path: op.path }),
      template: op === null ? `${prefix}/*` : op.path === '/' ? prefix || '/' : prefix + op.path,
      policies: RoutePolicies.needed(org, own) ? new RoutePolicies(org, own) : null,
      host: api.host === null || api.host === undefined ? null : api.host.toLowerCase(),
      versionScheme: scheme,
      versionName:
        scheme === 'header' ? api.versioning.name!.toLowerCase() : scheme === 'query' ? api.versioning.name : null,
      version: scheme === 'none' ? null : api.version,
      prefixSegments: prefix.split('/').length - 1,
      maxBodyBytes: api.maxRequestBodyBytes,
      backend,
      access,
    });
  };
  const host = api.host === null || api.host === undefined ? null : api.host.toLowerCase();
  if (api.operations.length === 0) {
    const r = route(null);
    router.add(host, prefix === '' ? '/' : prefix, null, r);
    router.add(host, prefix + '/*', null, r);
    return;
  }
  const explicit = new Set(api.operations.map((o) => `${o.method.toUpperCase()} ${o.path}`));
  for (const op of api.operations) {
    const method = op.method.toUpperCase();
    if (!KNOWN_METHODS.has(method)) throw new Error(`${where}: operation ${op.id} has unknown method ${op.method}`);
    if (typeof op.path !== 'string' || !op.path.startsWith('/')) throw new Error(`${where}: operation ${op.id} path must start with /`);
    const path = routerPath(prefix, op.path);
    const r = route(op);
    router.add(host, path, method, r);
    // RFC 9110 §9.3.2: HEAD is GET without the body; offer it wherever GET is.
    if (method === 'GET' && !explicit.has(`HEAD ${op.path}`)) router.add(host, path, 'HEAD', r);
  }
}

/** `/orders` + `/{id}/lines` → `/orders/:p0/lines` (find-my-way syntax, names are positional). */
function routerPath(prefix: string, template: string): string {
  let n = 0;
  const body = template === '/' ? '' : template.replace(/:/g, '::').replace(/\{[^{}/]+\}/g, () => `:p${n++}`);
  const full = prefix + body;
  return full === '' ? '/' : full;
}
