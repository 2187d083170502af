import { PorticoError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { accessOf, API_DEFAULTS, type Api, type ApiCreate, type ApiUpdate, type StoredApi } from '../domain/api.ts';
import { tables, type Tx } from '../store/index.ts';
import { OrgResource, usage } from './resource.ts';
import { apiFilter } from './visibility.ts';

function build(input: ApiCreate, base: Pick<Api, 'id' | 'organizationId' | 'createdAt' | 'updatedAt'>, previous?: Api): Api {
  const keep = new Map((previous?.operations ?? []).map((o) => [`${o.method} ${o.path}`, o.id]));
  const seen = new Set<string>();
  const operations = (input.operations ?? []).map((o) => {
    const key = `${o.method} ${o.path}`;
    if (seen.has(key)) throw new PorticoError('PORTICO_VALIDATION_FAILED', `Operation ${key} is listed twice`, { errors: [{ pointer: '/operations', message: `duplicate ${key}` }] });
    seen.add(key);
    return { id: keep.get(key) ?? newId('op'), method: o.method, path: o.path, operationId: o.operationId ?? null, summary: o.summary ?? '' };
  });
  const versioning = input.versioning ? { scheme: input.versioning.scheme, name: input.versioning.name ?? null } : API_DEFAULTS.versioning;
  if ((versioning.scheme === 'header' || versioning.scheme === 'query') && !versioning.name) {
    throw new PorticoError('PORTICO_VALIDATION_FAILED', `Versioning by ${versioning.scheme} needs a name`, { errors: [{ pointer: '/versioning/name', message: 'required' }] });
  }
  if (versioning.scheme !== 'none' && !input.version) {
    throw new PorticoError('PORTICO_VALIDATION_FAILED', 'A versioned API needs a version label', { errors: [{ pointer: '/version', message: 'required' }] });
  }
  return { ...base, ...API_DEFAULTS, ...input, versioning, ...accessOf(input), operations } as Api;
}

async function checkBackend(tx: Tx, api: Api): Promise<void> {
  const backend = await tables.backends.find(tx, api.backendId, api.organizationId);
  if (!backend) throw new PorticoError('PORTICO_VALIDATION_FAILED', `Backend "${api.backendId}" does not exist in this organization`, { errors: [{ pointer: '/backendId', message: 'unknown backend' }] });
}

async function writeOperations(tx: Tx, api: Api): Promise<void> {
  await tx.deleteFrom('operations').where('api_id', '=', api.id).execute();
  if (api.operations.length === 0) return;
  await tx
    .insertInto('operations')
    .values(api.operations.map((o) => ({ id: o.id, api_id: api.id, method: o.method, path: o.path, data: JSON.stringify(o) })))
    .execute();
}

export const apis = new OrgResource<Api, ApiCreate, ApiUpdate>({
  table: tables.apis,
  idPrefix: 'api',
  entityType: 'api',
  readRole: 'developer',
  writeRole: 'publisher',
  build: (input, base) => build(input, base),
  merge: (current, patch) => {
    const { operations: _ops, ...rest } = current;
    const input = { ...rest, ...patch, operations: patch.operations ?? current.operations } as ApiCreate;
    return build(input, current, current);
  },
  check: checkBackend,
  visibleTo: apiFilter,
  afterWrite: writeOperations,
  usedBy: async (tx, e) => usage(await tx.selectFrom('product_apis').select('product_id').where('api_id', '=', e.id).execute().then((r) => r.length), 'product'),
  beforeDelete: async (tx, e) => {
    await tx.deleteFrom('operations').where('api_id', '=', e.id).execute();
    const opIds = e.operations.map((o) => o.id);
    await tx.deleteFrom('policies').where('scope_type', '=', 'api').where('scope_id', '=', e.id).execute();
    if (opIds.length > 0) await tx.deleteFrom('policies').where('scope_type', '=', 'operation').where('scope_id', 'in', opIds).execute();
  },
  // The imported OpenAPI document stays in the store (GET …/apis/{id}/openapi), out of lists and audit.
  present: (e) => {
    const { openapi: _doc, ...rest } = e as StoredApi;
    return rest;
  },
});
