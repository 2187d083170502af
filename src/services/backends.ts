import { BACKEND_DEFAULTS, type Backend, type BackendCreate, type BackendUpdate } from '../domain/backend.ts';
import { tables } from '../store/index.ts';
import { OrgResource, usage } from './resource.ts';

function normalise(input: BackendCreate, base: Pick<Backend, 'id' | 'organizationId' | 'createdAt' | 'updatedAt'>): Backend {
  return {
    ...base,
    ...BACKEND_DEFAULTS,
    ...input,
    description: input.description ?? BACKEND_DEFAULTS.description,
    targets: input.targets.map((t) => ({ url: t.url, weight: t.weight ?? 1 })),
    tls: input.tls ? { ca: null, clientCertificate: null, clientKeyNamedValue: null, rejectUnauthorized: true, ...input.tls } : null,
  } as Backend;
}

export const backends = new OrgResource<Backend, BackendCreate, BackendUpdate>({
  table: tables.backends,
  idPrefix: 'bk',
  entityType: 'backend',
  readRole: 'publisher',
  writeRole: 'publisher',
  build: normalise,
  merge: (current, patch) => normalise({ ...current, ...patch } as BackendCreate, current),
  usedBy: async (tx, e) => usage(await tables.apis.count(tx, { backend_id: e.id }), 'API'),
});
