import { PorticoError } from '../../core/errors.ts';
import type { Api, ApiCreate, ApiUpdate, StoredApi } from '../../domain/api.ts';
import type { Backend } from '../../domain/backend.ts';
import { tables } from '../../store/index.ts';
import { apis } from '../apis.ts';
import { backends } from '../backends.ts';
import { requireRole, write, type Ctx } from '../context.ts';
import { loadOpenApi, type LoadedOpenApi, type OpenApiSource } from './openapi.ts';

export interface ImportOptions {
  source: OpenApiSource;
  /** API name; default: the document's info.title. */
  name?: string | undefined;
  /** Gateway base path; default: / + the name in lower-case dashes. */
  basePath?: string | undefined;
  /** Backend to use; default: a new backend named after the API, targeting the document's first server. */
  backendId?: string | undefined;
  /** Re-import into this API instead of creating one. */
  apiId?: string | undefined;
}

export interface OperationRef {
  method: string;
  path: string;
}

/** What a (re-)import did to the API's operations. */
export interface ChangeReport {
  added: OperationRef[];
  removed: OperationRef[];
  changed: (OperationRef & { fields: string[] })[];
}

export interface ImportResult {
  created: boolean;
  api: Api;
  version: number;
  backend: Backend | null;
  format: LoadedOpenApi['format'];
  security: LoadedOpenApi['security'];
  changes: ChangeReport;
  warnings: string[];
}

const HEADER_NAME = /^[A-Za-z0-9-]+$/;

export function basePathFor(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
  return `/${slug || 'api'}`;
}

/** The API fields an OpenAPI document decides: operations, description, key location, the document. */
export function apiFieldsOf(loaded: LoadedOpenApi, warnings: string[]): Pick<ApiCreate, 'operations' | 'apiKeyHeader' | 'apiKeyQueryParam'> & { openapi: StoredApi['openapi'] } {
  const fields: Pick<ApiCreate, 'operations' | 'apiKeyHeader' | 'apiKeyQueryParam'> & { openapi: StoredApi['openapi'] } = {
    operations: loaded.operations,
    openapi: { format: loaded.format, document: loaded.document, security: loaded.security },
  };
  const key = loaded.security.apiKey;
  if (key?.in === 'header') {
    if (HEADER_NAME.test(key.name) && key.name.length <= 100) fields.apiKeyHeader = key.name;
    else warnings.push(`the apiKey header "${key.name}" is not usable by the gateway (letters, digits and dashes only); the API keeps its key header`);
  } else if (key?.in === 'query') {
    fields.apiKeyQueryParam = key.name.slice(0, 100);
  } else if (key?.in === 'cookie') {
    warnings.push(`the apiKey cookie "${key.name}" is not supported; callers send the key in the API's key header`);
  }
  return fields;
}

export function compareOperations(before: readonly { method: string; path: string; operationId: string | null; summary: string }[], after: readonly { method: string; path: string; operationId?: string | undefined; summary?: string | undefined }[]): ChangeReport {
  const key = (o: OperationRef) => `${o.method} ${o.path}`;
  const old = new Map(before.map((o) => [key(o), o]));
  const next = new Map(after.map((o) => [key(o), o]));
  const report: ChangeReport = { added: [], removed: [], changed: [] };
  for (const [k, o] of next) {
    const prev = old.get(k);
    if (!prev) {
      report.added.push({ method: o.method, path: o.path });
      continue;
    }
    const fields: string[] = [];
    if ((prev.operationId ?? null) !== (o.operationId ?? null)) fields.push('operationId');
    if ((prev.summary ?? '') !== (o.summary ?? '')) fields.push('summary');
    if (fields.length > 0) report.changed.push({ method: o.method, path: o.path, fields });
  }
  for (const [k, o] of old) if (!next.has(k)) report.removed.push({ method: o.method, path: o.path });
  return report;
}

/**
 * Creates an API (and, without `backendId`, its backend) from an OpenAPI document, or re-imports a
 * changed document into an existing API and reports which operations were added, removed or changed.
 * One transaction: the backend and the API appear together or not at all.
 */
export async function importApi(ctx: Ctx, organizationId: string, options: ImportOptions): Promise<ImportResult> {
  requireRole(ctx, organizationId, 'publisher');
  const loaded = await loadOpenApi(options.source);
  const warnings = [...loaded.warnings];
  const fields = apiFieldsOf(loaded, warnings);
  const base = { format: loaded.format, security: loaded.security, warnings };

  if (options.apiId) {
    const apiId = options.apiId;
    return write(ctx, organizationId, async (tx, audit) => {
      const current = await tables.apis.get(tx, apiId, organizationId);
      const changes = compareOperations(current.entity.operations, loaded.operations);
      const patch: ApiUpdate & { openapi: StoredApi['openapi'] } = { ...fields, description: loaded.description };
      if (options.name) patch.name = options.name;
      if (options.basePath) patch.basePath = options.basePath;
      if (options.backendId) patch.backendId = options.backendId;
      const stored = await apis.updateIn(ctx, tx, audit, organizationId, apiId, patch, null);
      return { ...base, created: false, api: stored.entity, version: stored.version, backend: null, changes };
    });
  }

  const name = (options.name ?? loaded.title).slice(0, 200) || 'API';
  if (!options.backendId && !loaded.serverUrl) {
    throw new PorticoError('PORTICO_VALIDATION_FAILED', `The document names no absolute http(s) server${loaded.format === 'swagger-2.0' ? ' (host)' : ' (servers[0].url)'}; pass backendId to use an existing backend`, {
      errors: [{ pointer: '/backendId', message: 'required: the document has no absolute server URL' }],
    });
  }
  return write(ctx, organizationId, async (tx, audit) => {
    let backend: Backend | null = null;
    let backendId = options.backendId;
    if (!backendId) {
      backend = (await backends.createIn(ctx, tx, audit, organizationId, { name, targets: [{ url: loaded.serverUrl! }] })).entity;
      backendId = backend.id;
    }
    const input: ApiCreate & { openapi: StoredApi['openapi'] } = { name, basePath: options.basePath ?? basePathFor(name), backendId, description: loaded.description, ...fields };
    const stored = await apis.createIn(ctx, tx, audit, organizationId, input);
    return { ...base, created: true, api: stored.entity, version: stored.version, backend, changes: compareOperations([], loaded.operations) };
  });
}

/** The stored OpenAPI document of an API (or one built from its operations), served through the gateway. */
export async function exportOpenApi(ctx: Ctx, organizationId: string, apiId: string, gatewayUrl: string): Promise<Record<string, unknown>> {
  requireRole(ctx, organizationId, 'developer');
  await apis.get(ctx, organizationId, apiId); // 404 unless the caller may see the API
  const { entity } = await tables.apis.get(ctx.store.db, apiId, organizationId);
  const api = entity as StoredApi;
  const gateway = gatewayUrl.replace(/\/+$/, '');
  const url = new URL(`${gateway}${api.basePath}`);
  if (api.host) url.host = api.host;
  const serverUrl = url.toString().replace(/\/$/, '');
  if (api.openapi) {
    const doc = structuredClone(api.openapi.document);
    if (api.openapi.format === 'swagger-2.0') {
      doc.host = url.host;
      doc.basePath = url.pathname;
      doc.schemes = [url.protocol.replace(':', '')];
    } else {
      doc.servers = [{ url: serverUrl, description: 'Portico gateway' }];
    }
    return doc;
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of api.operations) {
    const item = (paths[op.path] ??= {});
    const params = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    item[op.method.toLowerCase()] = {
      ...(op.operationId ? { operationId: op.operationId } : {}),
      ...(op.summary ? { summary: op.summary } : {}),
      ...(params.length > 0 ? { parameters: params } : {}),
      responses: { default: { description: 'Response of the backend' } },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: api.name, version: api.version ?? '1', ...(api.description ? { description: api.description } : {}) },
    servers: [{ url: serverUrl, description: 'Portico gateway' }],
    paths,
    ...(api.visibility === 'private' ? { components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: api.apiKeyHeader } } }, security: [{ apiKey: [] }] } : {}),
  };
}
