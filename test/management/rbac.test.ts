// Role-based access: developers stay inside their own applications and contracts, nobody reaches
// into an organization they do not belong to, publishers do not manage people, organization
// service keys do not create organizations. The write routes come from the OpenAPI document, so a
// new route without an entry in BODIES fails here instead of going untested.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, signIn, startTestPortico, type CookieClient, type Reply, type TestPortico } from '../helpers/control-plane.ts';
import { seedCatalog } from '../helpers/fixtures.ts';
import { DIALECTS } from '../helpers/stores.ts';

function expect<T = any>(r: Reply<T>, status: number, what = ''): T {
  assert.equal(r.status, status, `${what} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

function expectProblem(r: Reply, status: number, code: string, what = ''): void {
  assert.equal(r.status, status, `${what} → ${r.status} ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
  assert.equal(r.body.code, code, what);
}

const PASSWORD = 'a long enough password';

interface Ids {
  orgId: string;
  backendId: string;
  apiId: string;
  productId: string;
  planId: string;
  applicationId: string;
  contractId: string;
  groupId: string;
  namedValueId: string;
  policyId: string;
  userId: string;
  keyId: string;
  slot: string;
}

/** A schema-valid body for each write operation, so that the refusal comes from the role check. */
const BODIES: Record<string, (ids: Ids) => unknown> = {
  updateOrganization: () => ({ name: 'taken over' }),
  deleteOrganization: () => undefined,
  setMember: () => ({ role: 'owner' }),
  removeMember: () => undefined,
  addGroupMember: () => ({}),
  removeGroupMember: () => undefined,
  createOrganizationServiceKey: () => ({ name: 'intruder', role: 'owner' }),
  revokeOrganizationServiceKey: () => undefined,
  createBackend: () => ({ name: 'intruder', targets: [{ url: 'http://127.0.0.1:9/' }] }),
  updateBackend: () => ({ targets: [{ url: 'http://evil.example/' }] }),
  deleteBackend: () => undefined,
  createApi: (ids) => ({ name: 'intruder', basePath: '/intruder', backendId: ids.backendId }),
  updateApi: () => ({ visibility: 'public' }),
  deleteApi: () => undefined,
  createProduct: () => ({ name: 'intruder' }),
  updateProduct: () => ({ state: 'draft' }),
  deleteProduct: () => undefined,
  createGroup: () => ({ name: 'intruder' }),
  updateGroup: () => ({ description: 'taken over' }),
  deleteGroup: () => undefined,
  createNamedValue: () => ({ name: 'intruder', value: 'x' }),
  updateNamedValue: () => ({ value: 'x' }),
  deleteNamedValue: () => undefined,
  createPolicy: () => ({ scope: { type: 'global' }, type: 'rate-limit', config: { limit: 1, per: 'day' } }),
  updatePolicy: () => ({ enabled: false }),
  deletePolicy: () => undefined,
  createPlan: () => ({ name: 'intruder' }),
  updatePlan: () => ({ description: 'x' }),
  deletePlan: () => undefined,
  lockPlan: () => undefined,
  newPlanVersion: () => undefined,
  createApplication: () => ({ name: 'intruder' }),
  updateApplication: () => ({ name: 'taken over' }),
  deleteApplication: () => undefined,
  regenerateApplicationKey: () => undefined,
  regenerateClientSecret: () => undefined,
  resetApplicationUsage: () => ({}),
  createContract: (ids) => ({ applicationId: ids.applicationId, productId: ids.productId, planId: ids.planId }),
  approveContract: () => undefined,
  rejectContract: () => undefined,
  suspendContract: () => undefined,
  resumeContract: () => undefined,
  cancelContract: () => undefined,
  migrateContract: (ids) => ({ planId: ids.planId }),
  importApi: () => ({ document: { openapi: '3.0.3', info: { title: 'intruder', version: '1' }, servers: [{ url: 'http://127.0.0.1:9' }], paths: {} }, basePath: '/intruder-import' }),
  applyConfig: () => ({ document: { portico: 1, backends: [{ name: 'intruder', targets: [{ url: 'http://127.0.0.1:9/' }] }] } }),
  createTraceToken: () => ({ ttlSeconds: 60 }),
};

interface WriteRoute {
  method: string;
  path: string;
  operationId: string;
}

/** Every write operation under /organizations/{orgId} in the OpenAPI document. */
async function orgWriteRoutes(p: TestPortico): Promise<WriteRoute[]> {
  const doc = expect(await p.admin.get('/openapi.json'), 200);
  const routes: WriteRoute[] = [];
  for (const [full, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    const path = full.replace(/^\/management\/v1/, '');
    if (!path.startsWith('/organizations/{orgId}')) continue;
    for (const [method, op] of Object.entries(ops)) {
      if (['post', 'put', 'patch', 'delete'].includes(method)) routes.push({ method: method.toUpperCase(), path, operationId: op.operationId });
    }
  }
  return routes;
}

function fill(path: string, ids: Ids): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = (ids as unknown as Record<string, string>)[name];
    if (value === undefined) throw new Error(`no id for {${name}} in ${path}`);
    return value;
  });
}

/** Rows and versions of everything an organization holds, and the audit trail: equal means unchanged. */
async function fingerprint(p: TestPortico): Promise<string> {
  const db = p.cp.services.store.db as any;
  const out: Record<string, unknown> = {};
  for (const table of ['organizations', 'users', 'groups', 'backends', 'apis', 'products', 'plans', 'applications', 'contracts', 'named_values', 'policies', 'service_keys']) {
    out[table] = await db.selectFrom(table).select(['id', 'version']).orderBy('id').execute();
  }
  out.memberships = await db.selectFrom('memberships').selectAll().orderBy('organization_id').orderBy('user_id').execute();
  out.group_members = await db.selectFrom('group_members').selectAll().orderBy('group_id').orderBy('user_id').execute();
  out.api_keys = await db.selectFrom('api_keys').select(['hash']).orderBy('hash').execute();
  out.audit = (await db.selectFrom('audit_events').select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
  return JSON.stringify(out);
}

for (const dialect of DIALECTS) {
  describe(`role-based access on ${dialect}`, () => {
    let p: TestPortico;
    let admin: Client;
    let alpha: Awaited<ReturnType<typeof seedCatalog>>;
    let beta: Awaited<ReturnType<typeof seedCatalog>>;
    let betaIds: Ids;
    let dev: CookieClient;
    let devId: string;
    let dev2: CookieClient;
    let publisher: CookieClient;
    let publisherId: string;
    let devKey: Client;

    const createUser = async (email: string, orgId: string, role: string) => {
      const user = expect(await admin.post('/users', { email, name: email, password: PASSWORD }), 201, email);
      expect(await admin.put(`/organizations/${orgId}/members/${user.id}`, { role }), 200, `member ${email}`);
      return user.id as string;
    };

    before(async () => {
      p = await startTestPortico(dialect);
      admin = p.admin;
      alpha = await seedCatalog(admin, 'alpha');
      beta = await seedCatalog(admin, 'beta');
      devId = await createUser('dev@alpha.example', 'alpha', 'developer');
      await createUser('dev2@alpha.example', 'alpha', 'developer');
      publisherId = await createUser('pub@alpha.example', 'alpha', 'publisher');
      const betaUser = await createUser('someone@beta.example', 'beta', 'developer');
      dev = await signIn(p, 'dev@alpha.example', PASSWORD);
      dev2 = await signIn(p, 'dev2@alpha.example', PASSWORD);
      publisher = await signIn(p, 'pub@alpha.example', PASSWORD);
      devKey = await p.serviceClient('alpha', 'developer');

      const group = expect(await admin.post('/organizations/beta/groups', { name: 'beta-partners' }), 201);
      expect(await admin.put(`/organizations/beta/groups/${group.id}/members/${betaUser}`, {}), 204);
      const nv = expect(await admin.post('/organizations/beta/named-values', { name: 'beta-secret', value: 's', secret: true }), 201);
      const policy = expect(await admin.post('/organizations/beta/policies', { scope: { type: 'api', id: beta.api.id }, type: 'rate-limit', config: { limit: 5, per: 'second' } }), 201);
      const contract = expect(await admin.post('/organizations/beta/contracts', { applicationId: beta.app.id, productId: beta.product.id, planId: beta.plan.id }), 201);
      const key = expect(await admin.post('/organizations/beta/service-keys', { name: 'beta-ci' }), 201);
      betaIds = {
        orgId: 'beta',
        backendId: beta.backend.id,
        apiId: beta.api.id,
        productId: beta.product.id,
        planId: beta.plan.id,
        applicationId: beta.app.id,
        contractId: contract.id,
        groupId: group.id,
        namedValueId: nv.id,
        policyId: policy.id,
        userId: betaUser,
        keyId: key.id,
        slot: 'primary',
      };
    });
    after(async () => p.close());

    it('lists a body for every organization write route of the OpenAPI document', async () => {
      const routes = await orgWriteRoutes(p);
      assert.ok(routes.length >= 40, `found only ${routes.length} organization write routes in the OpenAPI document`);
      const missing = routes.filter((r) => !(r.operationId in BODIES)).map((r) => `${r.method} ${r.path} (${r.operationId})`);
      assert.deepEqual(missing, [], 'add these operations to BODIES so the role tests cover them');
    });

    for (const who of ['developer (session cookie)', 'developer (service key)', 'publisher (session cookie)'] as const) {
      it(`refuses every write of a ${who} into another organization with 404 or 403 and changes nothing`, async () => {
        const client = who.startsWith('developer (session') ? dev : who.startsWith('developer') ? devKey : publisher;
        const before = await fingerprint(p);
        const outcomes: string[] = [];
        const routes = await orgWriteRoutes(p);
        assert.ok(routes.length >= 40);
        for (const route of routes) {
          const path = fill(route.path, betaIds);
          const body = BODIES[route.operationId]!(betaIds);
          const r = await client.call(route.method, path, body);
          if (r.status !== 403 && r.status !== 404) outcomes.push(`${route.method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
          else assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
        }
        assert.deepEqual(outcomes, [], 'every write into another organization must be refused');
        assert.equal(await fingerprint(p), before, 'the store is unchanged');
      });
    }

    it('hides another organization’s entities from a developer with 404', async () => {
      const doc = expect(await admin.get('/openapi.json'), 200);
      const leaks: string[] = [];
      let reads = 0;
      for (const [full, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
        const path = full.replace(/^\/management\/v1/, '');
        if (!path.startsWith('/organizations/{orgId}') || !ops.get) continue;
        const r = await dev.get(fill(path, betaIds));
        reads++;
        if (r.status !== 404) leaks.push(`GET ${fill(path, betaIds)} → ${r.status}`);
      }
      assert.deepEqual(leaks, []);
      assert.ok(reads >= 20, `only ${reads} reads found`);
      const orgs = expect(await dev.get('/organizations'), 200);
      assert.deepEqual(orgs.items.map((o: any) => o.id), ['alpha']);
    });

    it('refuses installation-level writes of a developer: users, installation service keys', async () => {
      const before = await fingerprint(p);
      expectProblem(await dev.post('/users', { email: 'new@example.com', name: 'New' }), 403, 'PORTICO_FORBIDDEN', 'create user');
      expectProblem(await dev.patch(`/users/${betaIds.userId}`, { name: 'renamed' }), 404, 'PORTICO_NOT_FOUND', 'rename another user');
      expectProblem(await dev.get(`/users/${betaIds.userId}`), 404, 'PORTICO_NOT_FOUND', 'read another user');
      expectProblem(await dev.get('/users'), 403, 'PORTICO_FORBIDDEN', 'list users');
      expectProblem(await dev.post('/service-keys', { name: 'root' }), 403, 'PORTICO_FORBIDDEN', 'installation key');
      expectProblem(await dev.get('/service-keys'), 403, 'PORTICO_FORBIDDEN', 'list installation keys');
      expectProblem(await devKey.post('/service-keys', { name: 'root' }), 403, 'PORTICO_FORBIDDEN', 'installation key by a key');
      assert.equal(await fingerprint(p), before);
      // a user may read and rename themself
      assert.equal(expect(await dev.get(`/users/${devId}`), 200).id, devId);
      expect(await dev.patch(`/users/${devId}`, { name: 'Dev' }), 200);
    });

    it('refuses a developer creating backends, APIs and other publisher entities in their own organization with 403', async () => {
      const before = await fingerprint(p);
      const attempts: [string, string, unknown][] = [
        ['POST', '/organizations/alpha/backends', { name: 'dev-backend', targets: [{ url: 'http://127.0.0.1:9/' }] }],
        ['POST', '/organizations/alpha/apis', { name: 'dev-api', basePath: '/dev-api', backendId: alpha.backend.id }],
        ['PATCH', `/organizations/alpha/apis/${alpha.api.id}`, { visibility: 'public' }],
        ['DELETE', `/organizations/alpha/apis/${alpha.api.id}`, undefined],
        ['POST', '/organizations/alpha/products', { name: 'dev-product' }],
        ['PATCH', `/organizations/alpha/products/${alpha.product.id}`, { state: 'draft' }],
        ['POST', `/organizations/alpha/products/${alpha.product.id}/plans`, { name: 'dev-plan' }],
        ['POST', `/organizations/alpha/products/${alpha.product.id}/plans/${alpha.plan.id}/versions`, undefined],
        ['POST', '/organizations/alpha/groups', { name: 'dev-group' }],
        ['POST', '/organizations/alpha/named-values', { name: 'dev-nv', value: 'x' }],
        ['POST', '/organizations/alpha/policies', { scope: { type: 'global' }, type: 'rate-limit', config: { limit: 1, per: 'day' } }],
        ['POST', '/organizations/alpha/service-keys', { name: 'dev-key', role: 'developer' }],
        ['PATCH', '/organizations/alpha', { name: 'renamed' }],
        ['DELETE', '/organizations/alpha', undefined],
      ];
      for (const client of [dev, devKey]) {
        for (const [method, path, body] of attempts) expectProblem(await client.call(method, path, body), 403, 'PORTICO_FORBIDDEN', `${method} ${path}`);
      }
      assert.equal(await fingerprint(p), before);
      // but a developer reads the catalog: APIs, products and plans
      expect(await dev.get(`/organizations/alpha/apis/${alpha.api.id}`), 200);
      expect(await dev.get(`/organizations/alpha/products/${alpha.product.id}/plans`), 200);
    });

    it('shows a developer only their own applications and contracts', async () => {
      const mine = expect(await dev.post('/organizations/alpha/applications', { name: 'dev-app', ownerUserId: publisherId }), 201, 'dev creates app');
      assert.equal(mine.ownerUserId, devId, 'a developer owns what they create, whoever they name');
      const theirs = expect(await dev2.post('/organizations/alpha/applications', { name: 'dev2-app' }), 201);
      const myContract = expect(await dev.post('/organizations/alpha/contracts', { applicationId: mine.id, productId: alpha.product.id, planId: alpha.plan.id }), 201, 'dev signs');
      const theirContract = expect(await dev2.post('/organizations/alpha/contracts', { applicationId: theirs.id, productId: alpha.product.id, planId: alpha.plan.id }), 201);

      const apps = expect(await dev.get('/organizations/alpha/applications'), 200);
      assert.deepEqual(apps.items.map((a: any) => a.id), [mine.id]);
      const contracts = expect(await dev.get('/organizations/alpha/contracts'), 200);
      assert.deepEqual(contracts.items.map((c: any) => c.id), [myContract.id]);
      expectProblem(await dev.get(`/organizations/alpha/contracts?applicationId=${theirs.id}`), 404, 'PORTICO_NOT_FOUND', 'filter by another’s app');
      const adminView = expect(await admin.get('/organizations/alpha/applications'), 200);
      assert.ok(adminView.items.length >= 3, 'publishers and above see every application');

      const before = await fingerprint(p);
      const app = `/organizations/alpha/applications/${theirs.id}`;
      const con = `/organizations/alpha/contracts/${theirContract.id}`;
      for (const [method, path, body] of [
        ['GET', app, undefined],
        ['PATCH', app, { name: 'stolen' }],
        ['DELETE', app, undefined],
        ['GET', `${app}/keys`, undefined],
        ['POST', `${app}/keys/primary/regenerate`, undefined],
        ['POST', `${app}/client-secret`, undefined],
        ['GET', con, undefined],
        ['POST', `${con}/cancel`, undefined],
        ['POST', '/organizations/alpha/contracts', { applicationId: theirs.id, productId: alpha.product.id, planId: alpha.plan.id }],
        ['GET', `/organizations/alpha/applications/${alpha.app.id}`, undefined],
      ] as [string, string, unknown][]) {
        expectProblem(await dev.call(method, path, body), 404, 'PORTICO_NOT_FOUND', `${method} ${path}`);
      }
      // contract life cycle beyond cancel is the publisher's, even on the developer's own contract
      for (const action of ['approve', 'reject', 'suspend', 'resume']) {
        expectProblem(await dev.post(`/organizations/alpha/contracts/${myContract.id}/${action}`), 403, 'PORTICO_FORBIDDEN', action);
      }
      expectProblem(await dev.post(`/organizations/alpha/contracts/${myContract.id}/migrate`, { planId: alpha.plan.id }), 403, 'PORTICO_FORBIDDEN', 'migrate');
      assert.equal(await fingerprint(p), before, 'nothing changed');

      // the developer manages their own application
      expect(await dev.get(`/organizations/alpha/applications/${mine.id}/keys`), 200);
      expect(await dev.post(`/organizations/alpha/applications/${mine.id}/keys/secondary/regenerate`), 200);
      assert.equal(expect(await dev.post(`/organizations/alpha/contracts/${myContract.id}/cancel`), 200).status, 'cancelled');
      expect(await dev.delete(`/organizations/alpha/applications/${mine.id}`), 204);
    });

    it('shows a developer service key none of the users’ applications or contracts', async () => {
      const apps = expect(await devKey.get('/organizations/alpha/applications'), 200);
      assert.deepEqual(apps.items, []);
      const contracts = expect(await devKey.get('/organizations/alpha/contracts'), 200);
      assert.deepEqual(contracts.items, []);
      expectProblem(await devKey.get(`/organizations/alpha/applications/${alpha.app.id}`), 404, 'PORTICO_NOT_FOUND');
    });

    it('refuses a publisher managing members, group members and service keys with 403', async () => {
      const before = await fingerprint(p);
      const group = expect(await admin.get('/organizations/alpha/groups'), 200).items[0];
      for (const [method, path, body] of [
        ['GET', '/organizations/alpha/members', undefined],
        ['PUT', `/organizations/alpha/members/${devId}`, { role: 'admin' }],
        ['PUT', `/organizations/alpha/members/${publisherId}`, { role: 'admin' }],
        ['PUT', `/organizations/alpha/members/${betaIds.userId}`, { role: 'developer' }],
        ['DELETE', `/organizations/alpha/members/${devId}`, undefined],
        ['PUT', `/organizations/alpha/groups/${group.id}/members/${devId}`, {}],
        ['DELETE', `/organizations/alpha/groups/${group.id}/members/${devId}`, undefined],
        ['POST', '/organizations/alpha/groups', { name: 'pub-group' }],
        ['GET', '/organizations/alpha/service-keys', undefined],
        ['POST', '/organizations/alpha/service-keys', { name: 'pub-key', role: 'publisher' }],
        ['GET', '/organizations/alpha/audit', undefined],
      ] as [string, string, unknown][]) {
        expectProblem(await publisher.call(method, path, body), 403, 'PORTICO_FORBIDDEN', `${method} ${path}`);
      }
      assert.equal(await fingerprint(p), before);
      // but a publisher runs the catalog
      const backend = expect(await publisher.post('/organizations/alpha/backends', { name: 'pub-backend', targets: [{ url: 'http://127.0.0.1:9/' }] }), 201);
      expect(await publisher.delete(`/organizations/alpha/backends/${backend.id}`), 204);
    });

    it('refuses an organization admin granting or taking ownership with 403', async () => {
      const orgAdmin = await p.serviceClient('alpha', 'admin');
      const before = await fingerprint(p);
      expectProblem(await orgAdmin.put(`/organizations/alpha/members/${devId}`, { role: 'owner' }), 403, 'PORTICO_FORBIDDEN', 'grant owner');
      const owner = expect(await admin.post('/users', { email: 'owner@alpha.example', name: 'Owner' }), 201);
      expect(await admin.put(`/organizations/alpha/members/${owner.id}`, { role: 'owner' }), 200);
      const mid = await fingerprint(p);
      expectProblem(await orgAdmin.put(`/organizations/alpha/members/${owner.id}`, { role: 'developer' }), 403, 'PORTICO_FORBIDDEN', 'demote owner');
      expectProblem(await orgAdmin.delete(`/organizations/alpha/members/${owner.id}`), 403, 'PORTICO_FORBIDDEN', 'remove owner');
      assert.notEqual(mid, before);
      assert.equal(await fingerprint(p), mid);
      // an admin does manage non-owners
      expect(await orgAdmin.put(`/organizations/alpha/members/${owner.id === devId ? publisherId : devId}`, { role: 'developer' }), 200);
    });

    for (const role of ['owner', 'admin', 'developer'] as const) {
      it(`refuses an organization service key (${role}) creating organizations with 403`, async () => {
        const key = await p.serviceClient('alpha', role);
        const before = await fingerprint(p);
        expectProblem(await key.post('/organizations', { id: `by-${role}-key`, name: 'Nope' }), 403, 'PORTICO_FORBIDDEN');
        assert.equal(await fingerprint(p), before);
        expectProblem(await admin.get(`/organizations/by-${role}-key`), 404, 'PORTICO_NOT_FOUND');
      });
    }

    it('lets a signed-in developer create an organization they then own, without gaining anything elsewhere', async () => {
      const org = expect(await dev.post('/organizations', { id: 'dev-own', name: 'Dev own' }), 201);
      assert.equal(org.id, 'dev-own');
      const me = expect(await dev.get('/me'), 200);
      assert.deepEqual(me.roles, { alpha: 'developer', 'dev-own': 'owner' });
      expect(await dev.post('/organizations/dev-own/backends', { name: 'b', targets: [{ url: 'http://127.0.0.1:9/' }] }), 201);
      expectProblem(await dev.post('/organizations/alpha/backends', { name: 'still-not', targets: [{ url: 'http://127.0.0.1:9/' }] }), 403, 'PORTICO_FORBIDDEN');
      expectProblem(await dev.get('/organizations/beta'), 404, 'PORTICO_NOT_FOUND');
    });
  });
}
