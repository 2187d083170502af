// Bad input on every write route (POST, PATCH, PUT) of the OpenAPI document: wrong types, missing
// required fields, 100 KB strings, unknown fields, non-object JSON, broken JSON, a wrong content
// type and a body over 1 MiB. Each must answer 4xx application/problem+json with a code and leave
// the store exactly as it was (rows, versions, links, sessions, audit trail, config revision).
// Then: a failed write that touches several tables leaves none of its rows behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Reply, TestPortico } from '../helpers/control-plane.ts';
import { startTestPortico } from '../helpers/control-plane.ts';
import { seedCatalog } from '../helpers/fixtures.ts';
import { DIALECTS } from '../helpers/stores.ts';

const KB100 = 'x'.repeat(100 * 1024);

function expect<T = any>(r: Reply<T>, status: number, what = ''): T {
  assert.equal(r.status, status, `${what} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A valid body for each write operation that takes one; the cases below are mutations of it. */
type Ids = Record<string, string>;
const VALID: Record<string, (ids: Ids) => Record<string, unknown>> = {
  issueToken: () => ({ grant_type: 'client_credentials', client_id: 'test-admin', client_secret: 'test-admin-secret' }),
  signIn: () => ({ email: 'admin@portico.local', password: 'correct horse battery staple' }),
  createUser: () => ({ email: 'new-user@example.com', name: 'New user', password: 'a long enough password', isAdmin: false }),
  updateUser: () => ({ name: 'Renamed', password: 'another long password' }),
  createOrganization: () => ({ id: 'new-org', name: 'New org', description: 'd' }),
  updateOrganization: () => ({ name: 'Renamed', description: 'd' }),
  setMember: () => ({ role: 'publisher' }),
  createOrganizationServiceKey: () => ({ name: 'ci', role: 'developer' }),
  createServiceKey: () => ({ name: 'ci', role: 'owner' }),
  createBackend: () => ({ name: 'new-backend', description: 'd', targets: [{ url: 'http://127.0.0.1:9/', weight: 2 }], retries: 2, balancing: 'weighted', tls: null }),
  updateBackend: () => ({ name: 'renamed', targets: [{ url: 'http://127.0.0.1:9/' }], readTimeoutMs: 1000 }),
  createApi: (ids) => ({ name: 'New API', basePath: '/new-api', backendId: ids.backendId!, visibility: 'private', forwardApiKey: false, operations: [{ method: 'GET', path: '/x' }] }),
  updateApi: () => ({ name: 'Renamed API', maxRequestBodyBytes: 1024, operations: [{ method: 'POST', path: '/y' }] }),
  createProduct: (ids) => ({ name: 'New product', state: 'published', apiIds: [ids.apiId!], groupIds: [ids.groupId!] }),
  updateProduct: (ids) => ({ name: 'Renamed product', apiIds: [ids.apiId!], approval: 'manual' }),
  createGroup: () => ({ name: 'new-group', description: 'd' }),
  updateGroup: () => ({ name: 'renamed-group', description: 'd' }),
  createNamedValue: () => ({ name: 'new-nv', value: 'v', secret: true }),
  updateNamedValue: () => ({ value: 'v2' }),
  createPolicy: (ids) => ({ scope: { type: 'api', id: ids.apiId! }, type: 'rate-limit', config: { limit: 5, per: 'second' }, enabled: true, position: 1 }),
  updatePolicy: () => ({ config: { limit: 9, per: 'minute' }, enabled: false, position: 2 }),
  createPlan: () => ({ name: 'New plan', description: 'd' }),
  updatePlan: () => ({ description: 'changed' }),
  createApplication: () => ({ name: 'New app', description: 'd', ownerUserId: null }),
  updateApplication: () => ({ name: 'Renamed app', description: 'd' }),
  createContract: (ids) => ({ applicationId: ids.applicationId!, productId: ids.productId!, planId: ids.planId! }),
  migrateContract: (ids) => ({ planId: ids.planId! }),
  importApi: () => ({ document: { openapi: '3.0.3', info: { title: 'Imported', version: '1' }, servers: [{ url: 'http://127.0.0.1:9' }], paths: {} }, name: 'Imported', basePath: '/imported' }),
  applyConfig: () => ({ document: { portico: 1, backends: [{ name: 'declared', targets: [{ url: 'http://127.0.0.1:9/' }] }] }, env: { TOKEN: 'x' } }),
  createTraceToken: () => ({ ttlSeconds: 60 }),
  resetApplicationUsage: () => ({}),
};

interface WriteRoute {
  method: string;
  /** Full path from the server root, ids filled in. */
  url: string;
  name: string;
  operationId: string;
  /** The request body schema, when the route takes a body. */
  schema: { required?: string[]; properties?: Record<string, unknown> } | null;
  contentType: string;
}

interface Case {
  kind: string;
  body: string;
  contentType: string;
  status: number;
  code: string;
  /** JSON pointers the problem must name (422 only). */
  pointers?: string[];
}

/** A value of a type the field does not take. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return 'not a number';
  if (typeof value === 'boolean') return 'true';
  if (Array.isArray(value)) return { not: 'an array' };
  if (value === null) return 42;
  return ['not', 'an', 'object'];
}

function casesFor(route: WriteRoute, valid: Record<string, unknown> | null): Case[] {
  const json = 'application/json';
  const v422 = (kind: string, body: unknown, pointers?: string[]): Case => ({ kind, body: JSON.stringify(body), contentType: json, status: 422, code: 'PORTICO_VALIDATION_FAILED', ...(pointers ? { pointers } : {}) });
  const out: Case[] = [
    { kind: 'broken JSON', body: '{"name":', contentType: json, status: 400, code: 'PORTICO_MALFORMED_JSON' },
    { kind: 'broken JSON (trailing comma)', body: '{"name": "x",}', contentType: json, status: 400, code: 'PORTICO_MALFORMED_JSON' },
    { kind: 'prototype poisoning', body: '{"__proto__": {"isAdmin": true}, "name": "x"}', contentType: json, status: 400, code: 'PORTICO_MALFORMED_JSON' },
    { kind: 'wrong content type (text/plain)', body: JSON.stringify(valid ?? {}), contentType: 'text/plain', status: 415, code: 'PORTICO_UNSUPPORTED_MEDIA_TYPE' },
    { kind: 'wrong content type (application/xml)', body: '<name>x</name>', contentType: 'application/xml', status: 415, code: 'PORTICO_UNSUPPORTED_MEDIA_TYPE' },
    ...(route.url === '/oauth/token'
      ? []
      : [{ kind: 'wrong content type (form)', body: new URLSearchParams(Object.entries(valid ?? { name: 'x' }).map(([k, v]) => [k, String(v)])).toString(), contentType: 'application/x-www-form-urlencoded', status: 415, code: 'PORTICO_UNSUPPORTED_MEDIA_TYPE' }]),
    { kind: 'body over 1 MiB', body: JSON.stringify({ ...(valid ?? {}), name: 'x'.repeat(1024 * 1024 + 10) }), contentType: json, status: 413, code: 'PORTICO_PAYLOAD_TOO_LARGE' },
  ];
  if (!route.schema || !valid) return out;
  for (const body of [[], 'a string', 42, null, true]) out.push(v422(`non-object JSON ${JSON.stringify(body)}`, body, ['/']));
  out.push(v422('unknown field', { ...valid, surprise: 1 }, ['/surprise']));
  out.push(v422('unknown field only', { extra: true }, ['/extra']));
  for (const field of route.schema.required ?? []) {
    const { [field]: _gone, ...rest } = valid;
    out.push(v422(`missing required ${field}`, rest, [`/${field}`]));
  }
  if ((route.schema.required ?? []).length > 0) out.push(v422('empty object', {}));
  for (const [field, value] of Object.entries(valid)) {
    out.push(v422(`wrong type for ${field}`, { ...valid, [field]: wrongType(value) }, [`/${field}`]));
    if (typeof value === 'string') out.push(v422(`100 KB ${field}`, { ...valid, [field]: KB100 }, [`/${field}`]));
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object') {
      const item = value[0] as Record<string, unknown>;
      for (const [inner, innerValue] of Object.entries(item)) {
        out.push(v422(`wrong type for ${field}/0/${inner}`, { ...valid, [field]: [{ ...item, [inner]: wrongType(innerValue) }] }, [`/${field}/0/${inner}`]));
        if (typeof innerValue === 'string') out.push(v422(`100 KB ${field}/0/${inner}`, { ...valid, [field]: [{ ...item, [inner]: KB100 }] }, [`/${field}/0/${inner}`]));
      }
      out.push(v422(`unknown field in ${field}/0`, { ...valid, [field]: [{ ...item, surprise: true }] }, [`/${field}/0/surprise`]));
    }
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'string') {
      out.push(v422(`wrong item type in ${field}`, { ...valid, [field]: [7] }, [`/${field}/0`]));
      out.push(v422(`100 KB item in ${field}`, { ...valid, [field]: [KB100] }, [`/${field}/0`]));
    }
  }
  return out;
}

/** One query: row counts and version sums of every table a write can touch. */
async function fingerprint(p: TestPortico): Promise<string> {
  const versioned = ['organizations', 'users', 'groups', 'backends', 'apis', 'products', 'plans', 'applications', 'contracts', 'named_values', 'policies', 'service_keys'];
  const plain = ['memberships', 'group_members', 'operations', 'product_apis', 'product_groups', 'api_keys', 'audit_events', 'sessions', 'signing_keys'];
  const parts = [
    ...versioned.map((t) => `(select count(*) from ${t}) as ${t}_n, (select coalesce(sum(version), 0) from ${t}) as ${t}_v`),
    ...plain.map((t) => `(select count(*) from ${t}) as ${t}_n`),
    '(select revision from config_revision) as revision',
  ];
  const { rows } = await sql.raw(`select ${parts.join(', ')}`).execute(p.cp.services.store.db);
  return JSON.stringify(Object.fromEntries(Object.entries(rows[0] as Record<string, unknown>).map(([k, v]) => [k, String(v)])));
}

for (const dialect of DIALECTS) {
  describe(`bad input on ${dialect}`, () => {
    let p: TestPortico;
    let seed: Awaited<ReturnType<typeof seedCatalog>>;
    let ids: Ids;
    let routes: WriteRoute[];

    async function send(route: WriteRoute, c: Case): Promise<Reply> {
      const res = await fetch(`${p.url}${route.url}`, { method: route.method, headers: { authorization: `Bearer ${p.admin.token}`, 'content-type': c.contentType }, body: c.body });
      const text = await res.text();
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* keep the text */
      }
      return { status: res.status, headers: res.headers, body };
    }

    before(async () => {
      p = await startTestPortico(dialect);
      const admin = p.admin;
      seed = await seedCatalog(admin, 'acme');
      const user = expect(await admin.post('/users', { email: 'member@example.com', name: 'Member' }), 201);
      expect(await admin.put(`/organizations/acme/members/${user.id}`, { role: 'developer' }), 200);
      const group = expect(await admin.post('/organizations/acme/groups', { name: 'partners' }), 201);
      const nv = expect(await admin.post('/organizations/acme/named-values', { name: 'nv', value: 'v' }), 201);
      const policy = expect(await admin.post('/organizations/acme/policies', { scope: { type: 'global' }, type: 'rate-limit', config: { limit: 1, per: 'second' } }), 201);
      const contract = expect(await admin.post('/organizations/acme/contracts', { applicationId: seed.app.id, productId: seed.product.id, planId: seed.plan.id }), 201);
      const orgKey = expect(await admin.post('/organizations/acme/service-keys', { name: 'k' }), 201);
      ids = {
        orgId: 'acme',
        backendId: seed.backend.id,
        apiId: seed.api.id,
        productId: seed.product.id,
        planId: seed.plan.id,
        applicationId: seed.app.id,
        contractId: contract.id,
        groupId: group.id,
        namedValueId: nv.id,
        policyId: policy.id,
        userId: user.id,
        keyId: orgKey.id,
        slot: 'primary',
      };
      const doc = expect(await admin.get('/openapi.json'), 200);
      routes = [];
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
        for (const [method, op] of Object.entries(ops)) {
          if (!['post', 'put', 'patch'].includes(method)) continue;
          const content = op.requestBody?.content as Record<string, { schema: any }> | undefined;
          const [contentType, media] = content ? Object.entries(content)[0]! : ['application/json', undefined];
          const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
            if (!ids[name]) throw new Error(`no id for {${name}}`);
            return ids[name];
          });
          routes.push({ method: method.toUpperCase(), url, name: `${method.toUpperCase()} ${path} (${op.operationId})`, operationId: op.operationId, schema: media?.schema ?? null, contentType });
        }
      }
    });
    after(async () => p.close());

    it('knows a valid body for every write route that takes one', () => {
      assert.ok(routes.length >= 35, `only ${routes.length} write routes in the OpenAPI document`);
      const missing = routes.filter((r) => r.schema && !VALID[r.operationId]).map((r) => r.name);
      assert.deepEqual(missing, [], 'add a valid body to VALID for these');
    });

    const KINDS: [string, (c: Case) => boolean][] = [
      ['broken JSON and prototype poisoning → 400', (c) => c.status === 400],
      ['a wrong content type → 415', (c) => c.status === 415],
      ['a body over 1 MiB → 413', (c) => c.status === 413],
      ['non-object JSON → 422', (c) => c.kind.startsWith('non-object')],
      ['unknown fields → 422 naming them', (c) => c.kind.startsWith('unknown field')],
      ['missing required fields → 422 naming them', (c) => c.kind.startsWith('missing') || c.kind === 'empty object'],
      ['wrong types → 422 naming the field', (c) => c.kind.startsWith('wrong type') || c.kind.startsWith('wrong item')],
      ['100 KB strings → 422 naming the field', (c) => c.kind.startsWith('100 KB')],
    ];
    for (const [title, select] of KINDS) {
      it(`refuses ${title} on every write route, as problem+json, with the store unchanged`, async () => {
        const failures: string[] = [];
        let sent = 0;
        for (const route of routes) {
          const valid = VALID[route.operationId]?.(ids) ?? null;
          // The token endpoint also takes form bodies; its JSON cases still apply.
          const cases = casesFor(route, valid).filter(select);
          if (cases.length === 0) continue;
          const before = await fingerprint(p);
          for (const c of cases) {
            sent++;
            const r = await send(route, c);
            const where = `${route.name} [${c.kind}]`;
            if (r.status !== c.status) {
              failures.push(`${where}: ${r.status} instead of ${c.status} ${JSON.stringify(r.body).slice(0, 300)}`);
              continue;
            }
            if (!/^application\/problem\+json/.test(r.headers.get('content-type') ?? '')) failures.push(`${where}: content-type ${r.headers.get('content-type')}`);
            if (r.body?.code !== c.code) failures.push(`${where}: code ${r.body?.code} instead of ${c.code}`);
            if (r.body?.status !== c.status) failures.push(`${where}: body status ${r.body?.status}`);
            if (c.pointers) {
              const named = (r.body?.errors ?? []).map((e: any) => e.pointer);
              for (const pointer of c.pointers) if (!named.includes(pointer)) failures.push(`${where}: pointer ${pointer} not in ${JSON.stringify(named)}`);
            }
            if (JSON.stringify(r.body).length > 20_000) failures.push(`${where}: the problem echoes the huge input (${JSON.stringify(r.body).length} bytes)`);
          }
          const afterPrint = await fingerprint(p);
          if (afterPrint !== before) failures.push(`${route.name}: the store changed\n  before ${before}\n  after  ${afterPrint}`);
        }
        assert.ok(sent > 0, 'some cases ran');
        assert.deepEqual(failures, []);
      });
    }

    it('accepts the valid bodies’ neighbour: the server still works after all that', async () => {
      expect(await p.admin.get('/organizations/acme'), 200);
      const created = expect(await p.admin.post('/organizations/acme/backends', VALID.createBackend!(ids)), 201);
      expect(await p.admin.delete(`/organizations/acme/backends/${created.id}`), 204);
    });

    // ── multi-row writes ─────────────────────────────────────────────────────────────────────
    const count = async (table: string, column?: string, value?: string): Promise<number> => {
      let q = (p.cp.services.store.db as any).selectFrom(table).select((eb: any) => eb.fn.countAll().as('n'));
      if (column) q = q.where(column, '=', value);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };

    it('does not create a product whose second apiId is unknown, nor any product_apis rows', async () => {
      const before = await fingerprint(p);
      const r = await p.admin.post('/organizations/acme/products', { name: 'Half', apiIds: [seed.api.id, 'api_unknown'], groupIds: [ids.groupId] });
      expect(r, 422);
      assert.deepEqual(r.body.errors.map((e: any) => e.pointer), ['/apiIds/1']);
      assert.equal(await count('products', 'name', 'Half'), 0);
      assert.equal(await fingerprint(p), before, 'no product, no product_apis, no product_groups, no audit');
      const groupFirst = await p.admin.post('/organizations/acme/products', { name: 'Half', apiIds: [seed.api.id], groupIds: [ids.groupId, 'grp_unknown'] });
      expect(groupFirst, 422);
      assert.equal(await fingerprint(p), before);
    });

    it('keeps a product’s links when a patch names an unknown API', async () => {
      const other = expect(await p.admin.post('/organizations/acme/apis', { name: 'Other', basePath: '/acme-other', backendId: seed.backend.id }), 201);
      const before = await fingerprint(p);
      expect(await p.admin.patch(`/organizations/acme/products/${seed.product.id}`, { apiIds: [other.id, 'api_unknown'] }), 422);
      assert.equal(await fingerprint(p), before);
      const links = await (p.cp.services.store.db as any).selectFrom('product_apis').select('api_id').where('product_id', '=', seed.product.id).execute();
      assert.deepEqual(links, [{ api_id: seed.api.id }]);
      assert.deepEqual(expect(await p.admin.get(`/organizations/acme/products/${seed.product.id}`), 200).apiIds, [seed.api.id]);
    });

    it('does not create an API or its operations when its route is taken, its backend unknown or an operation repeated', async () => {
      const before = await fingerprint(p);
      const operations = [{ method: 'GET', path: '/a' }, { method: 'POST', path: '/b' }];
      expect(await p.admin.post('/organizations/acme/apis', { name: 'Clash', basePath: '/acme-api', backendId: seed.backend.id, operations }), 409, 'route taken');
      expect(await p.admin.post('/organizations/acme/apis', { name: 'Clash', basePath: '/clash', backendId: 'bk_unknown', operations }), 422, 'unknown backend');
      expect(await p.admin.post('/organizations/acme/apis', { name: 'Clash', basePath: '/clash', backendId: seed.backend.id, operations: [...operations, operations[0]] }), 422, 'repeated operation');
      assert.equal(await count('apis', 'name', 'Clash'), 0);
      assert.equal(await fingerprint(p), before, 'no API, no operations, no audit');
    });

    it('keeps an API’s operations when a patch is refused', async () => {
      const before = await fingerprint(p);
      const opsBefore = await (p.cp.services.store.db as any).selectFrom('operations').select(['id', 'method', 'path']).where('api_id', '=', seed.api.id).orderBy('id').execute();
      expect(await p.admin.patch(`/organizations/acme/apis/${seed.api.id}`, { operations: [{ method: 'PUT', path: '/z' }, { method: 'PUT', path: '/z' }] }), 422, 'repeated');
      expect(await p.admin.patch(`/organizations/acme/apis/${seed.api.id}`, { operations: [{ method: 'PUT', path: '/z' }], backendId: 'bk_unknown' }), 422, 'unknown backend');
      expect(await p.admin.patch(`/organizations/acme/apis/${seed.api.id}`, { operations: [{ method: 'PUT', path: '/z' }] }, { 'if-match': '"v99"' }), 412, 'stale');
      const opsAfter = await (p.cp.services.store.db as any).selectFrom('operations').select(['id', 'method', 'path']).where('api_id', '=', seed.api.id).orderBy('id').execute();
      assert.deepEqual(opsAfter, opsBefore);
      assert.equal(await fingerprint(p), before);
    });

    it('does not create an application or its keys when its owner is not a member', async () => {
      const outsider = expect(await p.admin.post('/users', { email: 'outsider@example.com', name: 'Outsider' }), 201);
      const before = await fingerprint(p);
      const r = await p.admin.post('/organizations/acme/applications', { name: 'Orphan', ownerUserId: outsider.id });
      expect(r, 422);
      assert.deepEqual(r.body.errors.map((e: any) => e.pointer), ['/ownerUserId']);
      expect(await p.admin.post('/organizations/acme/applications', { name: 'Mobile' }), 409, 'duplicate name');
      assert.equal(await count('applications', 'name', 'Orphan'), 0);
      assert.equal(await fingerprint(p), before, 'no application, no api_keys');
    });

    it('does not create an organization, its groups or memberships when the id is taken', async () => {
      const before = await fingerprint(p);
      expect(await p.admin.post('/organizations', { id: 'acme', name: 'Again' }), 409);
      assert.equal(await fingerprint(p), before);
      assert.equal(await count('groups', 'organization_id', 'acme'), 4, 'three built-in groups and partners, not six');
    });

    it('does not copy a plan or its policies into a version that cannot be stored', async () => {
      const before = await fingerprint(p);
      expect(await p.admin.post(`/organizations/acme/products/${seed.product.id}/plans/pln_unknown/versions`), 404);
      assert.equal(await fingerprint(p), before);
    });
  });
}
