// Every management route's happy path, and the main refusals (401, 403, 404, 409, 412, 422),
// on both store dialects. One control plane per dialect; each test works in its own organization
// or on uniquely named entities so that the tests do not depend on each other's order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT, decodeJwt, generateKeyPair, decodeProtectedHeader } from 'jose';
import { Client, signIn, startTestPortico, type Reply, type TestPortico } from '../helpers/control-plane.ts';
import { seedCatalog } from '../helpers/fixtures.ts';
import { DIALECTS } from '../helpers/stores.ts';
import { SigningKeys } from '../../src/services/signing-keys.ts';

const ADMIN_EMAIL = 'admin@portico.local';
const ADMIN_PASSWORD = 'correct horse battery staple';

/** Asserts the status, showing the body when it differs; returns the body. */
function expect<T = any>(r: Reply<T>, status: number, what = ''): T {
  assert.equal(r.status, status, `${what} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Asserts an RFC 9457 problem with the given status and code. */
function expectProblem(r: Reply, status: number, code: string, what = ''): any {
  assert.equal(r.status, status, `${what} → ${r.status} ${JSON.stringify(r.body)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
  assert.equal(r.body.code, code, `${what}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.status, status);
  return r.body;
}

async function tokenFor(p: TestPortico, clientId: string, clientSecret: string, how: 'form' | 'basic' = 'form'): Promise<Response> {
  if (how === 'basic') {
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    return fetch(`${p.url}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
  }
  return fetch(`${p.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

for (const dialect of DIALECTS) {
  describe(`management routes on ${dialect}`, () => {
    let p: TestPortico;
    let admin: Client;
    let seed: Awaited<ReturnType<typeof seedCatalog>>;

    before(async () => {
      p = await startTestPortico(dialect);
      admin = p.admin;
      seed = await seedCatalog(admin, 'acme');
    });
    after(async () => p.close());

    // ── organizations ────────────────────────────────────────────────────────────────────────
    it('creates, reads, lists, renames (with If-Match) and deletes an empty organization', async () => {
      const created = await admin.post('/organizations', { id: 'org-life', name: 'Life', description: 'cycle' });
      const org = expect(created, 201, 'create org');
      assert.equal(org.id, 'org-life');
      assert.equal(created.headers.get('etag'), '"v1"');
      assert.equal(created.headers.get('location'), '/management/v1/organizations/org-life');
      const read = await admin.get('/organizations/org-life');
      assert.equal(expect(read, 200).name, 'Life');
      assert.equal(read.headers.get('etag'), '"v1"');
      const listed = expect(await admin.get('/organizations?limit=200'), 200);
      assert.ok(listed.items.some((o: any) => o.id === 'org-life'));
      const renamed = await admin.patch('/organizations/org-life', { name: 'Life 2' }, { 'if-match': '"v1"' });
      assert.equal(expect(renamed, 200, 'rename').name, 'Life 2');
      assert.equal(renamed.headers.get('etag'), '"v2"');
      // the built-in groups do not stop the delete
      expect(await admin.delete('/organizations/org-life'), 204, 'delete org');
      expectProblem(await admin.get('/organizations/org-life'), 404, 'PORTICO_NOT_FOUND');
    });

    it('starts every organization with the built-in groups administrators, developers and guests', async () => {
      const groups = expect(await admin.get('/organizations/acme/groups'), 200);
      const builtin = groups.items.filter((g: any) => g.builtin).map((g: any) => g.name).sort();
      assert.deepEqual(builtin, ['administrators', 'developers', 'guests']);
    });

    // ── users, members, /me, sessions ────────────────────────────────────────────────────────
    it('creates, reads, lists and renames users without ever returning a password hash', async () => {
      const created = await admin.post('/users', { email: 'Alice@Example.com', name: 'Alice', password: 'a long enough password' });
      const user = expect(created, 201, 'create user');
      assert.equal(user.email, 'alice@example.com');
      assert.equal(user.isAdmin, false);
      assert.equal(created.headers.get('location'), `/management/v1/users/${user.id}`);
      for (const r of [created, await admin.get(`/users/${user.id}`), await admin.get('/users?limit=200')]) {
        assert.doesNotMatch(JSON.stringify(r.body), /passwordHash|password_hash|argon/i);
      }
      const listed = expect(await admin.get('/users?limit=200'), 200);
      assert.ok(listed.items.some((u: any) => u.id === user.id));
      assert.ok(listed.items.some((u: any) => u.email === ADMIN_EMAIL));
      const renamed = await admin.patch(`/users/${user.id}`, { name: 'Alice B' }, { 'if-match': '"v1"' });
      assert.equal(expect(renamed, 200).name, 'Alice B');
      assert.equal(renamed.headers.get('etag'), '"v2"');
    });

    it('adds a member, changes their role, lists members and removes them', async () => {
      expect(await admin.post('/organizations', { id: 'org-members', name: 'Members' }), 201);
      const user = expect(await admin.post('/users', { email: 'member@example.com', name: 'Member' }), 201);
      const added = expect(await admin.put(`/organizations/org-members/members/${user.id}`, { role: 'developer' }), 200, 'add member');
      assert.deepEqual({ organizationId: added.organizationId, userId: added.userId, role: added.role }, { organizationId: 'org-members', userId: user.id, role: 'developer' });
      const changed = expect(await admin.put(`/organizations/org-members/members/${user.id}`, { role: 'publisher' }), 200, 'change role');
      assert.equal(changed.role, 'publisher');
      assert.equal(changed.createdAt, added.createdAt, 'a role change keeps the membership date');
      const members = expect(await admin.get('/organizations/org-members/members'), 200);
      assert.deepEqual(members.items.map((m: any) => [m.userId, m.role]), [[user.id, 'publisher']]);
      expect(await admin.delete(`/organizations/org-members/members/${user.id}`), 204, 'remove member');
      assert.deepEqual(expect(await admin.get('/organizations/org-members/members'), 200).items, []);
      expectProblem(await admin.delete(`/organizations/org-members/members/${user.id}`), 404, 'PORTICO_NOT_FOUND', 'remove twice');
    });

    it('signs in with a password, answers /me for the session, and signs out', async () => {
      const console = await signIn(p, ADMIN_EMAIL, ADMIN_PASSWORD);
      const me = expect(await console.get('/me'), 200);
      assert.equal(me.kind, 'user');
      assert.equal(me.isAdmin, true);
      assert.match(me.label, /^user:/);
      expect(await console.delete('/sessions/current'), 204, 'sign out');
      expectProblem(await console.get('/me'), 401, 'PORTICO_UNAUTHENTICATED', 'after sign-out');
      expectProblem(await new Client(p.api).post('/sessions', { email: ADMIN_EMAIL, password: 'wrong password!' }), 401, 'PORTICO_INVALID_CREDENTIALS');
      expectProblem(await new Client(p.api).post('/sessions', { email: 'nobody@example.com', password: 'wrong password!' }), 401, 'PORTICO_INVALID_CREDENTIALS');
    });

    it('answers /me for a service key with its roles', async () => {
      const me = expect(await admin.get('/me'), 200);
      assert.deepEqual({ kind: me.kind, isAdmin: me.isAdmin, label: me.label }, { kind: 'service-key', isAdmin: true, label: 'service-key:test-admin' });
      const dev = await p.serviceClient('acme', 'developer');
      const devMe = expect(await dev.get('/me'), 200);
      assert.equal(devMe.isAdmin, false);
      assert.deepEqual(devMe.roles, { acme: 'developer' });
    });

    it('lists every policy type with its JSON Schema', async () => {
      const types = expect(await admin.get('/policy-types'), 200);
      const names = types.items.map((t: any) => t.name);
      for (const name of ['rate-limit', 'quota', 'set-header']) assert.ok(names.includes(name), name);
      for (const t of types.items) {
        assert.equal(typeof t.description, 'string');
        assert.equal(t.schema.type, 'object');
      }
    });

    // ── groups ───────────────────────────────────────────────────────────────────────────────
    it('creates, renames, adds and removes group members, and deletes a group', async () => {
      const group = expect(await admin.post('/organizations/acme/groups', { name: 'partners', description: 'External partners' }), 201, 'create group');
      assert.equal(group.builtin, false);
      assert.equal(expect(await admin.get(`/organizations/acme/groups/${group.id}`), 200).name, 'partners');
      const renamed = expect(await admin.patch(`/organizations/acme/groups/${group.id}`, { name: 'partners-eu' }), 200);
      assert.equal(renamed.name, 'partners-eu');
      const user = expect(await admin.post('/users', { email: 'partner@example.com', name: 'Partner' }), 201);
      expect(await admin.put(`/organizations/acme/members/${user.id}`, { role: 'developer' }), 200);
      expect(await admin.put(`/organizations/acme/groups/${group.id}/members/${user.id}`, {}), 204, 'add to group');
      assert.deepEqual(expect(await admin.get(`/organizations/acme/groups/${group.id}/members`), 200).userIds, [user.id]);
      expect(await admin.delete(`/organizations/acme/groups/${group.id}/members/${user.id}`), 204, 'remove from group');
      assert.deepEqual(expect(await admin.get(`/organizations/acme/groups/${group.id}/members`), 200).userIds, []);
      expect(await admin.delete(`/organizations/acme/groups/${group.id}`), 204, 'delete group');
      expectProblem(await admin.get(`/organizations/acme/groups/${group.id}`), 404, 'PORTICO_NOT_FOUND');
    });

    it('refuses to add a user who is not a member of the organization to a group with 404', async () => {
      const group = expect(await admin.post('/organizations/acme/groups', { name: unique('grp') }), 201);
      const outsider = expect(await admin.post('/users', { email: `${unique('out')}@example.com`, name: 'Outsider' }), 201);
      expectProblem(await admin.put(`/organizations/acme/groups/${group.id}/members/${outsider.id}`, {}), 404, 'PORTICO_NOT_FOUND');
    });

    // ── backends ─────────────────────────────────────────────────────────────────────────────
    it('creates a backend with defaults, reads, lists, changes and deletes it', async () => {
      const created = await admin.post('/organizations/acme/backends', { name: 'billing', targets: [{ url: 'http://127.0.0.1:9/billing' }] });
      const backend = expect(created, 201, 'create backend');
      assert.equal(created.headers.get('location'), `/management/v1/organizations/acme/backends/${backend.id}`);
      assert.deepEqual(backend.targets, [{ url: 'http://127.0.0.1:9/billing', weight: 1 }]);
      assert.equal(backend.balancing, 'round-robin');
      assert.equal(backend.tls, null);
      assert.ok(expect(await admin.get('/organizations/acme/backends'), 200).items.some((b: any) => b.id === backend.id));
      const changed = await admin.patch(`/organizations/acme/backends/${backend.id}`, { retries: 3, targets: [{ url: 'https://billing.example.com', weight: 5 }] }, { 'if-match': '"v1"' });
      const body = expect(changed, 200, 'patch backend');
      assert.equal(body.retries, 3);
      assert.equal(body.name, 'billing', 'a patch keeps the fields it does not name');
      assert.deepEqual(body.targets, [{ url: 'https://billing.example.com', weight: 5 }]);
      assert.equal(changed.headers.get('etag'), '"v2"');
      expect(await admin.delete(`/organizations/acme/backends/${backend.id}`, { 'if-match': '"v2"' }), 204);
      expectProblem(await admin.get(`/organizations/acme/backends/${backend.id}`), 404, 'PORTICO_NOT_FOUND');
    });

    // ── APIs ─────────────────────────────────────────────────────────────────────────────────
    it('creates an API with operations and keeps operation ids across a patch', async () => {
      const created = await admin.post('/organizations/acme/apis', {
        name: 'Inventory',
        basePath: '/inventory',
        backendId: seed.backend.id,
        operations: [
          { method: 'GET', path: '/items', summary: 'List items' },
          { method: 'POST', path: '/items', operationId: 'createItem' },
        ],
      });
      const api = expect(created, 201, 'create api');
      assert.equal(api.operations.length, 2);
      assert.equal(api.visibility, 'private');
      assert.equal(api.apiKeyHeader, 'X-API-Key');
      const getItems = api.operations.find((o: any) => o.method === 'GET');
      assert.deepEqual({ path: getItems.path, summary: getItems.summary, operationId: getItems.operationId }, { path: '/items', summary: 'List items', operationId: null });
      assert.match(getItems.id, /^op/);
      const patched = expect(
        await admin.patch(`/organizations/acme/apis/${api.id}`, { operations: [{ method: 'GET', path: '/items' }, { method: 'DELETE', path: '/items/{id}' }] }),
        200,
        'patch operations',
      );
      assert.equal(patched.operations.length, 2);
      assert.equal(patched.operations.find((o: any) => o.method === 'GET').id, getItems.id, 'an unchanged operation keeps its id');
      const renamed = expect(await admin.patch(`/organizations/acme/apis/${api.id}`, { name: 'Inventory v1' }), 200);
      assert.equal(renamed.operations.length, 2, 'a patch without operations keeps them');
      assert.deepEqual(expect(await admin.get(`/organizations/acme/apis/${api.id}`), 200).operations, renamed.operations);
      assert.ok(expect(await admin.get('/organizations/acme/apis'), 200).items.some((a: any) => a.id === api.id));
      expect(await admin.delete(`/organizations/acme/apis/${api.id}`), 204);
      const ops = await p.cp.services.store.db.selectFrom('operations').select('id').where('api_id', '=', api.id).execute();
      assert.deepEqual(ops, [], 'deleting an API deletes its operations');
    });

    // ── products ─────────────────────────────────────────────────────────────────────────────
    it('creates a product with APIs and groups, changes and deletes it', async () => {
      const group = expect(await admin.post('/organizations/acme/groups', { name: unique('audience') }), 201);
      const product = expect(await admin.post('/organizations/acme/products', { name: 'Silver', apiIds: [seed.api.id], groupIds: [group.id] }), 201, 'create product');
      assert.deepEqual({ state: product.state, access: product.access, approval: product.approval }, { state: 'draft', access: 'protected', approval: 'auto' });
      assert.deepEqual(product.apiIds, [seed.api.id]);
      const links = await p.cp.services.store.db.selectFrom('product_apis').select('api_id').where('product_id', '=', product.id).execute();
      assert.deepEqual(links, [{ api_id: seed.api.id }]);
      const published = expect(await admin.patch(`/organizations/acme/products/${product.id}`, { state: 'published', apiIds: [] }), 200);
      assert.equal(published.state, 'published');
      assert.deepEqual(published.apiIds, []);
      assert.deepEqual(await p.cp.services.store.db.selectFrom('product_apis').select('api_id').where('product_id', '=', product.id).execute(), []);
      assert.equal(expect(await admin.get(`/organizations/acme/products/${product.id}`), 200).state, 'published');
      assert.ok(expect(await admin.get('/organizations/acme/products'), 200).items.some((x: any) => x.id === product.id));
      expect(await admin.delete(`/organizations/acme/products/${product.id}`), 204);
    });

    // ── plans ────────────────────────────────────────────────────────────────────────────────
    it('creates a draft plan, edits it, locks it, makes a new version and deletes a draft', async () => {
      const product = expect(await admin.post('/organizations/acme/products', { name: unique('plans-product'), state: 'published' }), 201);
      const base = `/organizations/acme/products/${product.id}/plans`;
      const created = await admin.post(base, { name: 'Basic', description: 'first' });
      const plan = expect(created, 201, 'create plan');
      assert.deepEqual({ status: plan.status, planVersion: plan.planVersion, lockedAt: plan.lockedAt, productId: plan.productId }, { status: 'draft', planVersion: 1, lockedAt: null, productId: product.id });
      assert.equal(created.headers.get('location'), `/management/v1${base}/${plan.id}`);
      assert.equal(expect(await admin.patch(`${base}/${plan.id}`, { description: 'second' }), 200).description, 'second');
      const locked = expect(await admin.post(`${base}/${plan.id}/lock`), 200, 'lock');
      assert.equal(locked.status, 'locked');
      assert.ok(locked.lockedAt);
      const v2res = await admin.post(`${base}/${plan.id}/versions`);
      const v2 = expect(v2res, 201, 'new version');
      assert.deepEqual({ name: v2.name, planVersion: v2.planVersion, status: v2.status, description: v2.description }, { name: 'Basic', planVersion: 2, status: 'draft', description: 'second' });
      assert.notEqual(v2.id, plan.id);
      assert.equal(v2res.headers.get('location'), `/management/v1${base}/${v2.id}`);
      const listed = expect(await admin.get(base), 200);
      assert.deepEqual(listed.items.map((x: any) => x.planVersion).sort(), [1, 2]);
      assert.equal(expect(await admin.get(`${base}/${v2.id}`), 200).planVersion, 2);
      expect(await admin.delete(`${base}/${v2.id}`), 204, 'delete draft version');
      expectProblem(await admin.get(`${base}/${v2.id}`), 404, 'PORTICO_NOT_FOUND');
    });

    it('copies a plan’s policies into its new version', async () => {
      const product = expect(await admin.post('/organizations/acme/products', { name: unique('copy-product'), state: 'published' }), 201);
      const base = `/organizations/acme/products/${product.id}/plans`;
      const plan = expect(await admin.post(base, { name: 'Metered' }), 201);
      expect(await admin.post('/organizations/acme/policies', { scope: { type: 'plan', id: plan.id }, type: 'rate-limit', config: { limit: 10, per: 'minute' } }), 201);
      expect(await admin.post(`${base}/${plan.id}/lock`), 200);
      const v2 = expect(await admin.post(`${base}/${plan.id}/versions`), 201);
      const all = expect(await admin.get('/organizations/acme/policies?limit=200'), 200).items;
      const copied = all.filter((x: any) => x.scope.type === 'plan' && x.scope.id === v2.id);
      assert.equal(copied.length, 1);
      assert.deepEqual(copied[0].config, { limit: 10, per: 'minute' });
    });

    it('refuses a plan of another product at that product’s URL with 404', async () => {
      const other = expect(await admin.post('/organizations/acme/products', { name: unique('other-product') }), 201);
      expectProblem(await admin.get(`/organizations/acme/products/${other.id}/plans/${seed.plan.id}`), 404, 'PORTICO_NOT_FOUND');
      expectProblem(await admin.post(`/organizations/acme/products/${other.id}/plans/${seed.plan.id}/versions`), 404, 'PORTICO_NOT_FOUND');
    });

    // ── applications ─────────────────────────────────────────────────────────────────────────
    it('creates an application with a client secret shown once, and reads, lists, renames and deletes it', async () => {
      const created = await admin.post('/organizations/acme/applications', { name: 'Web', description: 'browser' });
      const app = expect(created, 201, 'create app');
      assert.match(app.clientId, /^cl_/);
      assert.equal(typeof app.clientSecret, 'string');
      assert.ok(app.clientSecret.length >= 32);
      const read = expect(await admin.get(`/organizations/acme/applications/${app.id}`), 200);
      assert.equal(read.clientSecret, undefined, 'the secret is shown only at creation');
      assert.doesNotMatch(JSON.stringify(read), /clientSecretHash/);
      const listed = expect(await admin.get('/organizations/acme/applications'), 200);
      assert.ok(listed.items.some((a: any) => a.id === app.id));
      assert.doesNotMatch(JSON.stringify(listed), /clientSecret/);
      assert.equal(expect(await admin.patch(`/organizations/acme/applications/${app.id}`, { name: 'Web 2' }, { 'if-match': '"v1"' }), 200).name, 'Web 2');
      expect(await admin.delete(`/organizations/acme/applications/${app.id}`), 204);
      expectProblem(await admin.get(`/organizations/acme/applications/${app.id}`), 404, 'PORTICO_NOT_FOUND');
      const keys = await p.cp.services.store.db.selectFrom('api_keys').select('hash').where('application_id', '=', app.id).execute();
      assert.deepEqual(keys, [], 'deleting an application deletes its keys');
    });

    it('reveals both keys and regenerating the primary leaves the secondary unchanged', async () => {
      const app = expect(await admin.post('/organizations/acme/applications', { name: unique('keys') }), 201);
      const res = await admin.get(`/organizations/acme/applications/${app.id}/keys`);
      const keys = expect(res, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.ok(keys.primary && keys.secondary);
      assert.notEqual(keys.primary, keys.secondary);
      const regenerated = expect(await admin.post(`/organizations/acme/applications/${app.id}/keys/primary/regenerate`), 200, 'regenerate primary');
      assert.notEqual(regenerated.primary, keys.primary);
      assert.equal(regenerated.secondary, keys.secondary);
      assert.deepEqual(expect(await admin.get(`/organizations/acme/applications/${app.id}/keys`), 200), regenerated);
      const again = expect(await admin.post(`/organizations/acme/applications/${app.id}/keys/secondary/regenerate`), 200, 'regenerate secondary');
      assert.equal(again.primary, regenerated.primary);
      assert.notEqual(again.secondary, regenerated.secondary);
      expectProblem(await admin.post(`/organizations/acme/applications/${app.id}/keys/tertiary/regenerate`), 422, 'PORTICO_VALIDATION_FAILED');
    });

    it('regenerates the OAuth client secret with the same client id', async () => {
      const app = expect(await admin.post('/organizations/acme/applications', { name: unique('secret') }), 201);
      const res = await admin.post(`/organizations/acme/applications/${app.id}/client-secret`);
      const fresh = expect(res, 200, 'regenerate secret');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(fresh.clientId, app.clientId);
      assert.notEqual(fresh.clientSecret, app.clientSecret);
      const row = await p.cp.services.store.db.selectFrom('applications').select('data').where('id', '=', app.id).executeTakeFirstOrThrow();
      assert.ok(!row.data.includes(fresh.clientSecret), 'the secret is stored hashed only');
    });

    // ── contracts ────────────────────────────────────────────────────────────────────────────
    it('walks a contract through suspend, resume, migrate to a new plan version and cancel', async () => {
      const app = expect(await admin.post('/organizations/acme/applications', { name: unique('contract-app') }), 201);
      const created = await admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: seed.product.id, planId: seed.plan.id });
      const contract = expect(created, 201, 'create contract');
      assert.equal(contract.status, 'active');
      assert.equal(created.headers.get('location'), `/management/v1/organizations/acme/contracts/${contract.id}`);
      const c = `/organizations/acme/contracts/${contract.id}`;
      assert.equal(expect(await admin.get(c), 200).status, 'active');
      assert.equal(expect(await admin.post(`${c}/suspend`), 200).status, 'suspended');
      assert.equal(expect(await admin.post(`${c}/resume`), 200).status, 'active');
      const plans = `/organizations/acme/products/${seed.product.id}/plans`;
      const v2 = expect(await admin.post(`${plans}/${seed.plan.id}/versions`), 201);
      expectProblem(await admin.post(`${c}/migrate`, { planId: v2.id }), 409, 'PORTICO_PLAN_NOT_LOCKED', 'migrate to a draft');
      expect(await admin.post(`${plans}/${v2.id}/lock`), 200);
      const migrated = expect(await admin.post(`${c}/migrate`, { planId: v2.id }), 200, 'migrate');
      assert.equal(migrated.planId, v2.id);
      assert.equal(migrated.status, 'active');
      const other = expect(await admin.post('/organizations/acme/products', { name: unique('unrelated'), state: 'published' }), 201);
      const otherPlan = expect(await admin.post(`/organizations/acme/products/${other.id}/plans`, { name: 'Gold' }), 201);
      expectProblem(await admin.post(`${c}/migrate`, { planId: otherPlan.id }), 404, 'PORTICO_NOT_FOUND', 'migrate to another product’s plan');
      const cancelled = expect(await admin.post(`${c}/cancel`), 200);
      assert.equal(cancelled.status, 'cancelled');
      expectProblem(await admin.post(`${c}/resume`), 409, 'PORTICO_INVALID_TRANSITION', 'resume a cancelled contract');
      const listed = expect(await admin.get(`/organizations/acme/contracts?applicationId=${app.id}`), 200);
      assert.deepEqual(listed.items.map((x: any) => [x.id, x.status]), [[contract.id, 'cancelled']]);
      // once cancelled, the application may sign again
      expect(await admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: seed.product.id, planId: v2.id }), 201, 'sign again');
    });

    it('starts contracts of a manual-approval product as pending, then approves or rejects them', async () => {
      const product = expect(await admin.post('/organizations/acme/products', { name: unique('manual'), state: 'published', approval: 'manual', apiIds: [seed.api.id] }), 201);
      const plan = expect(await admin.post(`/organizations/acme/products/${product.id}/plans`, { name: 'Gold' }), 201);
      expect(await admin.post(`/organizations/acme/products/${product.id}/plans/${plan.id}/lock`), 200);
      const a1 = expect(await admin.post('/organizations/acme/applications', { name: unique('approve-me') }), 201);
      const a2 = expect(await admin.post('/organizations/acme/applications', { name: unique('reject-me') }), 201);
      const c1 = expect(await admin.post('/organizations/acme/contracts', { applicationId: a1.id, productId: product.id, planId: plan.id }), 201);
      const c2 = expect(await admin.post('/organizations/acme/contracts', { applicationId: a2.id, productId: product.id, planId: plan.id }), 201);
      assert.equal(c1.status, 'pending');
      assert.equal(expect(await admin.post(`/organizations/acme/contracts/${c1.id}/approve`), 200).status, 'active');
      assert.equal(expect(await admin.post(`/organizations/acme/contracts/${c2.id}/reject`), 200).status, 'rejected');
      expectProblem(await admin.post(`/organizations/acme/contracts/${c1.id}/approve`), 409, 'PORTICO_INVALID_TRANSITION', 'approve twice');
      expectProblem(await admin.post(`/organizations/acme/contracts/${c2.id}/cancel`), 409, 'PORTICO_INVALID_TRANSITION', 'cancel a rejected contract');
    });

    it('refuses a second contract for the same product with 409 PORTICO_CONTRACT_EXISTS', async () => {
      const app = expect(await admin.post('/organizations/acme/applications', { name: unique('twice') }), 201);
      const first = expect(await admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: seed.product.id, planId: seed.plan.id }), 201);
      const second = expectProblem(await admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: seed.product.id, planId: seed.plan.id }), 409, 'PORTICO_CONTRACT_EXISTS');
      assert.equal(second.contractId, first.id);
    });

    it('refuses contracts on draft products, draft plans and all-public products with 409', async () => {
      const app = expect(await admin.post('/organizations/acme/applications', { name: unique('refused') }), 201);
      const draft = expect(await admin.post('/organizations/acme/products', { name: unique('draft-product'), apiIds: [seed.api.id] }), 201);
      const draftPlan = expect(await admin.post(`/organizations/acme/products/${draft.id}/plans`, { name: 'P' }), 201);
      expectProblem(await admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: draft.id, planId: draftPlan.id }), 409, 'PORTICO_PRODUCT_NOT_PUBLISHED');
      expect(await admin.patch(`/organizations/acme/products/${draft.id}`, { state: 'published' }), 200);
      expectProblem(await admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: draft.id, planId: draftPlan.id }), 409, 'PORTICO_PLAN_NOT_LOCKED');
      const publicApi = expect(await admin.post('/organizations/acme/apis', { name: unique('public'), basePath: `/${unique('public')}`, backendId: seed.backend.id, visibility: 'public' }), 201);
      const open = expect(await admin.post('/organizations/acme/products', { name: unique('open'), state: 'published', apiIds: [publicApi.id] }), 201);
      const openPlan = expect(await admin.post(`/organizations/acme/products/${open.id}/plans`, { name: 'Free' }), 201);
      expect(await admin.post(`/organizations/acme/products/${open.id}/plans/${openPlan.id}/lock`), 200);
      expectProblem(await admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: open.id, planId: openPlan.id }), 409, 'PORTICO_PUBLIC_API');
      expectProblem(await admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: seed.product.id, planId: openPlan.id }), 404, 'PORTICO_NOT_FOUND', 'plan of another product');
    });

    // ── named values ─────────────────────────────────────────────────────────────────────────
    it('returns a non-secret named value and never returns a secret one', async () => {
      const plain = expect(await admin.post('/organizations/acme/named-values', { name: 'region', value: 'eu-west-1' }), 201);
      assert.deepEqual({ secret: plain.secret, value: plain.value }, { secret: false, value: 'eu-west-1' });
      assert.equal(expect(await admin.get(`/organizations/acme/named-values/${plain.id}`), 200).value, 'eu-west-1');
      const SECRET = 'sup3r-s3cret-value-do-not-leak';
      const created = await admin.post('/organizations/acme/named-values', { name: 'backend-password', value: SECRET, secret: true });
      const secret = expect(created, 201);
      assert.deepEqual({ secret: secret.secret, value: secret.value }, { secret: true, value: null });
      const updated = await admin.patch(`/organizations/acme/named-values/${secret.id}`, { value: `${SECRET}-2` });
      assert.equal(expect(updated, 200).value, null);
      const replies = [created, updated, await admin.get(`/organizations/acme/named-values/${secret.id}`), await admin.get('/organizations/acme/named-values?limit=200'), await admin.get('/organizations/acme/audit?limit=200')];
      for (const r of replies) {
        assert.ok(!JSON.stringify(r.body).includes(SECRET), `secret leaked in ${JSON.stringify(r.body).slice(0, 200)}`);
        assert.doesNotMatch(JSON.stringify(r.body), /"sealed":"v1\./);
      }
      const row = await p.cp.services.store.db.selectFrom('named_values').select('data').where('id', '=', secret.id).executeTakeFirstOrThrow();
      assert.ok(!row.data.includes(SECRET), 'the secret is sealed at rest');
      expect(await admin.delete(`/organizations/acme/named-values/${secret.id}`), 204);
    });

    // ── policies ─────────────────────────────────────────────────────────────────────────────
    it('accepts a valid policy config, changes and deletes the policy', async () => {
      const created = expect(await admin.post('/organizations/acme/policies', { scope: { type: 'api', id: seed.api.id }, type: 'rate-limit', config: { limit: 100, per: 'minute' } }), 201, 'create policy');
      assert.deepEqual({ scope: created.scope, type: created.type, enabled: created.enabled, position: created.position }, { scope: { type: 'api', id: seed.api.id }, type: 'rate-limit', enabled: true, position: 0 });
      const global = expect(await admin.post('/organizations/acme/policies', { scope: { type: 'global', id: 'ignored' }, type: 'set-header', config: { name: 'X-Env', value: 'test' } }), 201);
      assert.equal(global.scope.id, null);
      const op = seed.api.operations[0].id;
      expect(await admin.post('/organizations/acme/policies', { scope: { type: 'operation', id: op }, type: 'quota', config: { limit: 5, period: 'day' } }), 201, 'operation policy');
      const changed = expect(await admin.patch(`/organizations/acme/policies/${created.id}`, { config: { limit: 200, per: 'second' }, enabled: false }), 200);
      assert.deepEqual(changed.config, { limit: 200, per: 'second' });
      assert.equal(changed.enabled, false);
      assert.deepEqual(expect(await admin.get(`/organizations/acme/policies/${created.id}`), 200).config, { limit: 200, per: 'second' });
      expect(await admin.delete(`/organizations/acme/policies/${created.id}`), 204);
      expect(await admin.delete(`/organizations/acme/policies/${global.id}`), 204);
    });

    it('refuses a bad policy config with 422 and a pointer into the config', async () => {
      const bad = expectProblem(await admin.post('/organizations/acme/policies', { scope: { type: 'api', id: seed.api.id }, type: 'rate-limit', config: { limit: 0, per: 'fortnight' } }), 422, 'PORTICO_VALIDATION_FAILED');
      const pointers = bad.errors.map((e: any) => e.pointer).sort();
      assert.deepEqual(pointers, ['/config/limit', '/config/per']);
      const unknown = expectProblem(await admin.post('/organizations/acme/policies', { scope: { type: 'global' }, type: 'teleport', config: {} }), 422, 'PORTICO_VALIDATION_FAILED');
      assert.deepEqual(unknown.errors.map((e: any) => e.pointer), ['/type']);
      const scope = expectProblem(await admin.post('/organizations/acme/policies', { scope: { type: 'api', id: 'api_missing' }, type: 'rate-limit', config: { limit: 1, per: 'second' } }), 422, 'PORTICO_VALIDATION_FAILED');
      assert.deepEqual(scope.errors.map((e: any) => e.pointer), ['/scope/id']);
      const existing = expect(await admin.post('/organizations/acme/policies', { scope: { type: 'global' }, type: 'rate-limit', config: { limit: 1, per: 'second' } }), 201);
      const patch = expectProblem(await admin.patch(`/organizations/acme/policies/${existing.id}`, { config: { limit: 'many' } }), 422, 'PORTICO_VALIDATION_FAILED');
      assert.ok(patch.errors.some((e: any) => e.pointer === '/config/limit'), JSON.stringify(patch.errors));
    });

    // ── service keys ─────────────────────────────────────────────────────────────────────────
    it('creates an organization service key whose secret gets a working token, and revoking it stops the token', async () => {
      const res = await admin.post('/organizations/acme/service-keys', { name: 'ci', role: 'publisher' });
      const key = expect(res, 201, 'create service key');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.match(key.clientId, /^sk_/);
      assert.equal(typeof key.clientSecret, 'string');
      assert.deepEqual({ role: key.role, organizationId: key.organizationId, name: key.name }, { role: 'publisher', organizationId: 'acme', name: 'ci' });
      assert.ok(key.url.endsWith('/management/v1'), key.url);
      assert.ok(key.tokenUrl.endsWith('/oauth/token'), key.tokenUrl);
      for (const how of ['form', 'basic'] as const) {
        const tokenRes = await tokenFor(p, key.clientId, key.clientSecret, how);
        assert.equal(tokenRes.status, 200, how);
        assert.equal(tokenRes.headers.get('cache-control'), 'no-store');
        const token = (await tokenRes.json()) as any;
        assert.equal(token.token_type, 'Bearer');
        assert.ok(token.expires_in > 0);
      }
      const token = ((await (await tokenFor(p, key.clientId, key.clientSecret)).json()) as any).access_token;
      const client = new Client(p.api, token);
      const me = expect(await client.get('/me'), 200);
      assert.deepEqual(me.roles, { acme: 'publisher' });
      expect(await client.get('/organizations/acme/backends'), 200, 'publisher reads backends');
      const listed = expect(await admin.get('/organizations/acme/service-keys'), 200);
      const entry = listed.items.find((k: any) => k.id === key.id);
      assert.ok(entry);
      assert.equal(entry.clientSecret, undefined);
      assert.doesNotMatch(JSON.stringify(listed), /secretHash|clientSecret/);
      expect(await admin.delete(`/organizations/acme/service-keys/${key.id}`), 204, 'revoke');
      expectProblem(await client.get('/me'), 401, 'PORTICO_UNAUTHENTICATED', 'token of a revoked key');
      const refused = await tokenFor(p, key.clientId, key.clientSecret);
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as any).code, 'PORTICO_INVALID_CLIENT');
      assert.ok(!expect(await admin.get('/organizations/acme/service-keys'), 200).items.some((k: any) => k.id === key.id));
      expectProblem(await admin.delete(`/organizations/acme/service-keys/${key.id}`), 404, 'PORTICO_NOT_FOUND', 'revoke twice');
    });

    it('creates, lists and revokes installation-wide service keys', async () => {
      const key = expect(await admin.post('/service-keys', { name: 'automation' }), 201);
      assert.deepEqual({ organizationId: key.organizationId, role: key.role }, { organizationId: null, role: 'owner' });
      const token = ((await (await tokenFor(p, key.clientId, key.clientSecret)).json()) as any).access_token;
      assert.equal(expect(await new Client(p.api, token).get('/me'), 200).isAdmin, true);
      assert.ok(expect(await admin.get('/service-keys'), 200).items.some((k: any) => k.id === key.id));
      const orgKey = expect(await admin.post('/organizations/acme/service-keys', { name: unique('org-key') }), 201);
      expectProblem(await admin.delete(`/service-keys/${orgKey.id}`), 404, 'PORTICO_NOT_FOUND', 'an org key is not revoked through /service-keys');
      expect(await admin.delete(`/service-keys/${key.id}`), 204);
      expectProblem(await new Client(p.api, token).get('/me'), 401, 'PORTICO_UNAUTHENTICATED');
    });

    it('refuses a token request with a wrong secret, an unknown client or another grant type', async () => {
      const wrong = await tokenFor(p, 'test-admin', 'not-the-secret');
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="portico"');
      assert.equal(((await wrong.json()) as any).code, 'PORTICO_INVALID_CLIENT');
      assert.equal((await tokenFor(p, 'nobody', 'x')).status, 401);
      const grant = await fetch(`${p.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password&client_id=test-admin&client_secret=test-admin-secret' });
      assert.equal(grant.status, 400);
      const body = (await grant.json()) as any;
      assert.equal(body.code, 'PORTICO_INVALID_GRANT');
      assert.equal(body.error, 'unsupported_grant_type');
    });

    // ── audit ────────────────────────────────────────────────────────────────────────────────
    it('records who changed what, with before and after, newest first', async () => {
      const backend = expect(await admin.post('/organizations/acme/backends', { name: 'audited', targets: [{ url: 'http://127.0.0.1:9/' }] }), 201);
      expect(await admin.patch(`/organizations/acme/backends/${backend.id}`, { name: 'audited-2' }), 200);
      expect(await admin.delete(`/organizations/acme/backends/${backend.id}`), 204);
      const audit = expect(await admin.get('/organizations/acme/audit?limit=3'), 200);
      const [del, upd, cre] = audit.items;
      for (const e of audit.items) {
        assert.equal(e.actor, 'service-key:test-admin');
        assert.equal(e.entityType, 'backend');
        assert.equal(e.entityId, backend.id);
        assert.equal(e.organizationId, 'acme');
        assert.ok(!Number.isNaN(Date.parse(e.at)));
      }
      assert.deepEqual([del.action, upd.action, cre.action], ['delete', 'update', 'create']);
      assert.equal(cre.before, null);
      assert.equal(cre.after.name, 'audited');
      assert.equal(upd.before.name, 'audited');
      assert.equal(upd.after.name, 'audited-2');
      assert.equal(del.before.name, 'audited-2');
      assert.equal(del.after, null);
      const console = await signIn(p, ADMIN_EMAIL, ADMIN_PASSWORD);
      const me = expect(await console.get('/me'), 200);
      expect(await console.patch('/organizations/acme', { description: 'changed from the console' }), 200);
      const [latest] = expect(await admin.get('/organizations/acme/audit?limit=1'), 200).items;
      assert.deepEqual({ actor: latest.actor, action: latest.action, entityType: latest.entityType }, { actor: me.label, action: 'update', entityType: 'organization' });
      assert.equal(latest.after.description, 'changed from the console');
    });

    // ── pagination ───────────────────────────────────────────────────────────────────────────
    it('walks every page with limit and cursor without duplicates or gaps', async () => {
      expect(await admin.post('/organizations', { id: 'org-pages', name: 'Pages' }), 201);
      const made = new Set<string>();
      for (let i = 0; i < 7; i++) made.add(expect(await admin.post('/organizations/org-pages/backends', { name: `b${i}`, targets: [{ url: 'http://127.0.0.1:9/' }] }), 201).id);
      const walk = async (path: string, limit: number) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const sep = path.includes('?') ? '&' : '?';
          const page: any = expect(await admin.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`), 200, path);
          assert.ok(page.items.length <= limit);
          seen.push(...page.items.map((x: any) => x.id));
          cursor = page.nextCursor;
          pages++;
          assert.ok(pages < 100, 'the walk ends');
        } while (cursor);
        return { seen, pages };
      };
      for (const limit of [1, 3, 7, 50]) {
        const { seen, pages } = await walk('/organizations/org-pages/backends', limit);
        assert.equal(new Set(seen).size, seen.length, `no duplicates at limit ${limit}`);
        assert.deepEqual(new Set(seen), made, `every backend at limit ${limit}`);
        assert.equal(pages, limit === 7 ? 1 : Math.ceil(7 / limit), `pages at limit ${limit}`);
      }
      // the audit log pages too (7 creates + the organization)
      const audit = await walk('/organizations/org-pages/audit', 3);
      assert.equal(audit.seen.length, 8);
      assert.equal(new Set(audit.seen).size, 8);
      const orgs = await walk('/organizations', 2);
      assert.equal(new Set(orgs.seen).size, orgs.seen.length);
      assert.ok(orgs.seen.includes('org-pages') && orgs.seen.includes('acme'));
      const usersWalk = await walk('/users', 2);
      assert.equal(new Set(usersWalk.seen).size, usersWalk.seen.length);
      expectProblem(await admin.get('/organizations/org-pages/backends?limit=0'), 422, 'PORTICO_VALIDATION_FAILED', 'limit 0');
      expectProblem(await admin.get('/organizations/org-pages/backends?limit=201'), 422, 'PORTICO_VALIDATION_FAILED', 'limit 201');
      expectProblem(await admin.get('/organizations/org-pages/backends?page=2'), 422, 'PORTICO_VALIDATION_FAILED', 'unknown query parameter');
    });

    // ── 401 ──────────────────────────────────────────────────────────────────────────────────
    it('refuses requests without a token, with a garbage token or with an expired token with 401', async () => {
      const anonymous = new Client(p.api);
      for (const path of ['/me', '/organizations', '/organizations/acme/backends', '/policy-types', '/users', '/service-keys']) {
        const r = expectProblem(await anonymous.get(path), 401, 'PORTICO_UNAUTHENTICATED', path);
        assert.equal(r.requestId !== undefined, true);
      }
      const r = await anonymous.get('/me');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="portico"');
      expectProblem(await anonymous.post('/organizations/acme/backends', { name: 'x', targets: [{ url: 'http://a/' }] }), 401, 'PORTICO_UNAUTHENTICATED', 'anonymous write');
      expectProblem(await new Client(p.api, 'garbage').get('/me'), 401, 'PORTICO_UNAUTHENTICATED', 'garbage token');
      expectProblem(await new Client(p.api, 'a.b.c').get('/me'), 401, 'PORTICO_UNAUTHENTICATED', 'three garbage parts');
      expectProblem(await anonymous.get('/me', { authorization: 'Basic dGVzdC1hZG1pbjp0ZXN0LWFkbWluLXNlY3JldA==' }), 401, 'PORTICO_UNAUTHENTICATED', 'basic on the API');
      expectProblem(await anonymous.get('/me', { authorization: 'Bearer' }), 401, 'PORTICO_UNAUTHENTICATED', 'empty bearer');
      expectProblem(await anonymous.get('/me', { cookie: 'portico_session=not-a-session' }), 401, 'PORTICO_UNAUTHENTICATED', 'unknown session');

      // Tokens signed by the control plane's own key, but expired / for another audience / tampered.
      const good = admin.token!;
      const claims = decodeJwt(good);
      const { kid } = decodeProtectedHeader(good);
      const key = await new SigningKeys(p.cp.services).current();
      assert.equal(key.kid, kid);
      const sign = (exp: number, aud = String(claims.aud)) =>
        new SignJWT({ client_id: claims.client_id })
          .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
          .setIssuer(String(claims.iss))
          .setAudience(aud)
          .setSubject(String(claims.sub))
          .setIssuedAt(exp - 900)
          .setExpirationTime(exp)
          .sign(key.privateKey);
      const now = Math.floor(Date.now() / 1000);
      expect(await new Client(p.api, await sign(now + 60)).get('/me'), 200, 'a fresh self-made token works (control)');
      expectProblem(await new Client(p.api, await sign(now - 60)).get('/me'), 401, 'PORTICO_UNAUTHENTICATED', 'expired token');
      expectProblem(await new Client(p.api, await sign(now + 60, 'someone-else')).get('/me'), 401, 'PORTICO_UNAUTHENTICATED', 'wrong audience');
      const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const forged = await new SignJWT({ client_id: claims.client_id })
        .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
        .setIssuer(String(claims.iss))
        .setAudience(String(claims.aud))
        .setExpirationTime(now + 60)
        .sign(foreign.privateKey);
      expectProblem(await new Client(p.api, forged).get('/me'), 401, 'PORTICO_UNAUTHENTICATED', 'signed by another key');
      const [h, , s] = good.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, client_id: 'someone' })).toString('base64url')}.${s}`;
      expectProblem(await new Client(p.api, tampered).get('/me'), 401, 'PORTICO_UNAUTHENTICATED', 'tampered payload');
    });

    // ── 403 ──────────────────────────────────────────────────────────────────────────────────
    it('refuses actions above the caller’s role with 403 PORTICO_FORBIDDEN', async () => {
      const developer = await p.serviceClient('acme', 'developer');
      const publisher = await p.serviceClient('acme', 'publisher');
      const orgAdmin = await p.serviceClient('acme', 'admin');
      expectProblem(await developer.post('/organizations/acme/backends', { name: 'dev', targets: [{ url: 'http://127.0.0.1:9/' }] }), 403, 'PORTICO_FORBIDDEN', 'developer creates backend');
      expectProblem(await developer.get('/organizations/acme/backends'), 403, 'PORTICO_FORBIDDEN', 'developer lists backends');
      expectProblem(await publisher.post('/organizations/acme/groups', { name: 'pub' }), 403, 'PORTICO_FORBIDDEN', 'publisher creates group');
      expectProblem(await publisher.get('/organizations/acme/members'), 403, 'PORTICO_FORBIDDEN', 'publisher lists members');
      expectProblem(await publisher.get('/organizations/acme/audit'), 403, 'PORTICO_FORBIDDEN', 'publisher reads audit');
      expectProblem(await orgAdmin.delete('/organizations/acme'), 403, 'PORTICO_FORBIDDEN', 'admin deletes org');
      expectProblem(await orgAdmin.post('/organizations/acme/service-keys', { name: 'own', role: 'owner' }), 403, 'PORTICO_FORBIDDEN', 'admin mints an owner key');
      expectProblem(await orgAdmin.get('/users'), 403, 'PORTICO_FORBIDDEN', 'org admin lists users');
      expectProblem(await orgAdmin.post('/users', { email: 'x@example.com', name: 'X' }), 403, 'PORTICO_FORBIDDEN', 'org admin creates user');
      expectProblem(await orgAdmin.get('/service-keys'), 403, 'PORTICO_FORBIDDEN', 'org admin lists installation keys');
      expectProblem(await orgAdmin.post('/organizations', { id: 'by-org-admin', name: 'x' }), 403, 'PORTICO_FORBIDDEN', 'org key creates org');
    });

    // ── 404 ──────────────────────────────────────────────────────────────────────────────────
    it('answers unknown entities and unknown routes with 404 problem+json', async () => {
      for (const path of [
        '/organizations/no-such-org',
        '/organizations/acme/backends/bk_missing',
        '/organizations/acme/apis/api_missing',
        '/organizations/acme/products/prd_missing',
        `/organizations/acme/products/${seed.product.id}/plans/pln_missing`,
        '/organizations/acme/products/prd_missing/plans',
        '/organizations/acme/applications/app_missing',
        '/organizations/acme/applications/app_missing/keys',
        '/organizations/acme/contracts/con_missing',
        '/organizations/acme/groups/grp_missing',
        '/organizations/acme/groups/grp_missing/members',
        '/organizations/acme/named-values/nv_missing',
        '/organizations/acme/policies/pol_missing',
        '/users/usr_missing',
        '/no-such-route',
      ]) {
        expectProblem(await admin.get(path), 404, 'PORTICO_NOT_FOUND', path);
      }
      expectProblem(await admin.patch('/organizations/acme/backends/bk_missing', { name: 'x' }), 404, 'PORTICO_NOT_FOUND', 'patch missing');
      expectProblem(await admin.delete('/organizations/acme/apis/api_missing'), 404, 'PORTICO_NOT_FOUND', 'delete missing');
      expectProblem(await admin.post('/organizations/acme/contracts/con_missing/approve'), 404, 'PORTICO_NOT_FOUND', 'approve missing');
      expectProblem(await admin.put('/organizations/acme/members/usr_missing', { role: 'developer' }), 404, 'PORTICO_NOT_FOUND', 'member missing user');
      expectProblem(await admin.post('/organizations/acme/contracts', { applicationId: 'app_missing', productId: seed.product.id, planId: seed.plan.id }), 404, 'PORTICO_NOT_FOUND', 'contract for missing app');
      expectProblem(await admin.post('/organizations/acme/products/prd_missing/plans', { name: 'x' }), 404, 'PORTICO_NOT_FOUND', 'plan of missing product');
    });

    // ── 409 ──────────────────────────────────────────────────────────────────────────────────
    it('refuses duplicate names with 409 PORTICO_CONFLICT', async () => {
      expectProblem(await admin.post('/organizations', { id: 'acme', name: 'again' }), 409, 'PORTICO_CONFLICT', 'org id');
      expectProblem(await admin.post('/organizations/acme/backends', { name: 'main', targets: [{ url: 'http://127.0.0.1:9/' }] }), 409, 'PORTICO_CONFLICT', 'backend');
      expectProblem(await admin.post('/organizations/acme/apis', { name: 'Orders', basePath: '/elsewhere', backendId: seed.backend.id }), 409, 'PORTICO_CONFLICT', 'api name');
      expectProblem(await admin.post('/organizations/acme/apis', { name: 'Orders elsewhere', basePath: '/acme-api', backendId: seed.backend.id }), 409, 'PORTICO_CONFLICT', 'api route');
      expectProblem(await admin.post('/organizations/acme/products', { name: 'Gold' }), 409, 'PORTICO_CONFLICT', 'product');
      expectProblem(await admin.post(`/organizations/acme/products/${seed.product.id}/plans`, { name: 'Gold' }), 409, 'PORTICO_CONFLICT', 'plan');
      expectProblem(await admin.post('/organizations/acme/groups', { name: 'developers' }), 409, 'PORTICO_CONFLICT', 'group');
      expectProblem(await admin.post('/organizations/acme/applications', { name: 'Mobile' }), 409, 'PORTICO_CONFLICT', 'application');
      expect(await admin.post('/organizations/acme/named-values', { name: 'dup', value: '1' }), 201);
      expectProblem(await admin.post('/organizations/acme/named-values', { name: 'dup', value: '2' }), 409, 'PORTICO_CONFLICT', 'named value');
      expectProblem(await admin.post('/users', { email: ADMIN_EMAIL.toUpperCase(), name: 'Again' }), 409, 'PORTICO_CONFLICT', 'user email, any case');
      const b = expect(await admin.post('/organizations/acme/backends', { name: unique('rename-me'), targets: [{ url: 'http://127.0.0.1:9/' }] }), 201);
      expectProblem(await admin.patch(`/organizations/acme/backends/${b.id}`, { name: 'main' }), 409, 'PORTICO_CONFLICT', 'rename onto an existing name');
      const builtin = expect(await admin.get('/organizations/acme/groups'), 200).items.find((g: any) => g.name === 'guests');
      expectProblem(await admin.patch(`/organizations/acme/groups/${builtin.id}`, { name: 'visitors' }), 409, 'PORTICO_CONFLICT', 'rename a built-in group');
    });

    it('refuses changes to a locked plan with 409 PORTICO_PLAN_LOCKED', async () => {
      const plan = `/organizations/acme/products/${seed.product.id}/plans/${seed.plan.id}`;
      expectProblem(await admin.patch(plan, { description: 'changed' }), 409, 'PORTICO_PLAN_LOCKED', 'patch');
      expectProblem(await admin.post(`${plan}/lock`), 409, 'PORTICO_PLAN_LOCKED', 'lock twice');
      expectProblem(await admin.post('/organizations/acme/policies', { scope: { type: 'plan', id: seed.plan.id }, type: 'rate-limit', config: { limit: 1, per: 'second' } }), 409, 'PORTICO_PLAN_LOCKED', 'add a policy');
      assert.equal(expect(await admin.get(plan), 200).description, '');
    });

    it('refuses deleting entities that others use with 409 PORTICO_IN_USE', async () => {
      expectProblem(await admin.delete(`/organizations/acme/backends/${seed.backend.id}`), 409, 'PORTICO_IN_USE', 'backend used by an API');
      expectProblem(await admin.delete(`/organizations/acme/apis/${seed.api.id}`), 409, 'PORTICO_IN_USE', 'API in a product');
      expectProblem(await admin.delete(`/organizations/acme/products/${seed.product.id}`), 409, 'PORTICO_IN_USE', 'product with plans');
      const app = expect(await admin.post('/organizations/acme/applications', { name: unique('in-use') }), 201);
      expect(await admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: seed.product.id, planId: seed.plan.id }), 201);
      expectProblem(await admin.delete(`/organizations/acme/applications/${app.id}`), 409, 'PORTICO_IN_USE', 'application with an open contract');
      expectProblem(await admin.delete(`/organizations/acme/products/${seed.product.id}/plans/${seed.plan.id}`), 409, 'PORTICO_IN_USE', 'plan with contracts');
      expectProblem(await admin.delete('/organizations/acme'), 409, 'PORTICO_IN_USE', 'organization with content');
      const builtin = expect(await admin.get('/organizations/acme/groups'), 200).items.find((g: any) => g.name === 'guests');
      expectProblem(await admin.delete(`/organizations/acme/groups/${builtin.id}`), 409, 'PORTICO_IN_USE', 'built-in group');
      const group = expect(await admin.post('/organizations/acme/groups', { name: unique('audience') }), 201);
      expect(await admin.post('/organizations/acme/products', { name: unique('grouped'), groupIds: [group.id] }), 201);
      expectProblem(await admin.delete(`/organizations/acme/groups/${group.id}`), 409, 'PORTICO_IN_USE', 'group used by a product');
      // the entities are all still there
      for (const path of [`/organizations/acme/backends/${seed.backend.id}`, `/organizations/acme/apis/${seed.api.id}`, `/organizations/acme/products/${seed.product.id}`, `/organizations/acme/applications/${app.id}`]) {
        expect(await admin.get(path), 200, path);
      }
    });

    it('refuses removing the last owner with 409 PORTICO_IN_USE', async () => {
      const console = await signIn(p, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(await console.post('/organizations', { id: 'org-owned', name: 'Owned' }), 201);
      const me = expect(await console.get('/me'), 200);
      const members = expect(await admin.get('/organizations/org-owned/members'), 200).items;
      assert.deepEqual(members.map((m: any) => [m.userId, m.role]), [[me.id, 'owner']], 'the creator is the owner');
      expectProblem(await admin.delete(`/organizations/org-owned/members/${me.id}`), 409, 'PORTICO_IN_USE');
    });

    // ── 412 ──────────────────────────────────────────────────────────────────────────────────
    it('refuses writes with a stale or malformed If-Match with 412', async () => {
      const created = await admin.post('/organizations/acme/backends', { name: unique('etag'), targets: [{ url: 'http://127.0.0.1:9/' }] });
      const b = expect(created, 201);
      const path = `/organizations/acme/backends/${b.id}`;
      expect(await admin.patch(path, { retries: 2 }, { 'if-match': '"v1"' }), 200);
      expectProblem(await admin.patch(path, { retries: 3 }, { 'if-match': '"v1"' }), 412, 'PORTICO_PRECONDITION_FAILED', 'stale patch');
      expectProblem(await admin.patch(path, { retries: 3 }, { 'if-match': 'v2' }), 412, 'PORTICO_PRECONDITION_FAILED', 'malformed');
      expectProblem(await admin.delete(path, { 'if-match': '"v1"' }), 412, 'PORTICO_PRECONDITION_FAILED', 'stale delete');
      assert.equal(expect(await admin.get(path), 200).retries, 2, 'the refused writes changed nothing');
      expect(await admin.patch(path, { retries: 4 }, { 'if-match': 'W/"v2"' }), 200, 'weak form of the current tag');
      expect(await admin.patch(path, { retries: 5 }, { 'if-match': '*' }), 200, 'any version');
      const org = `/organizations/acme`;
      const etag = (await admin.get(org)).headers.get('etag')!;
      expect(await admin.patch(org, { description: 'one' }, { 'if-match': etag }), 200);
      expectProblem(await admin.patch(org, { description: 'two' }, { 'if-match': etag }), 412, 'PORTICO_PRECONDITION_FAILED', 'stale org');
      const user = expect(await admin.post('/users', { email: `${unique('etag')}@example.com`, name: 'E' }), 201);
      expect(await admin.patch(`/users/${user.id}`, { name: 'E2' }), 200);
      expectProblem(await admin.patch(`/users/${user.id}`, { name: 'E3' }, { 'if-match': '"v1"' }), 412, 'PORTICO_PRECONDITION_FAILED', 'stale user');
      const app = expect(await admin.post('/organizations/acme/applications', { name: unique('etag-app') }), 201);
      expect(await admin.patch(`/organizations/acme/applications/${app.id}`, { description: 'x' }), 200);
      expectProblem(await admin.delete(`/organizations/acme/applications/${app.id}`, { 'if-match': '"v1"' }), 412, 'PORTICO_PRECONDITION_FAILED', 'stale app delete');
    });

    // ── 422 ──────────────────────────────────────────────────────────────────────────────────
    it('refuses bodies that do not match the schema with 422 and pointers to each field', async () => {
      const r = expectProblem(await admin.post('/organizations/acme/backends', { name: '', targets: [], colour: 'red' }), 422, 'PORTICO_VALIDATION_FAILED');
      const pointers = r.errors.map((e: any) => e.pointer);
      for (const pointer of ['/name', '/targets', '/colour']) assert.ok(pointers.includes(pointer), `${pointer} in ${JSON.stringify(r.errors)}`);
      const api = expectProblem(await admin.post('/organizations/acme/apis', { name: 'Dup ops', basePath: '/dup-ops', backendId: seed.backend.id, operations: [{ method: 'GET', path: '/a' }, { method: 'GET', path: '/a' }] }), 422, 'PORTICO_VALIDATION_FAILED');
      assert.deepEqual(api.errors.map((e: any) => e.pointer), ['/operations']);
      const backend = expectProblem(await admin.post('/organizations/acme/apis', { name: 'No backend', basePath: '/no-backend', backendId: 'bk_missing' }), 422, 'PORTICO_VALIDATION_FAILED');
      assert.deepEqual(backend.errors.map((e: any) => e.pointer), ['/backendId']);
      const versioned = expectProblem(await admin.post('/organizations/acme/apis', { name: 'Versioned', basePath: '/versioned', backendId: seed.backend.id, versioning: { scheme: 'header' } }), 422, 'PORTICO_VALIDATION_FAILED');
      assert.deepEqual(versioned.errors.map((e: any) => e.pointer), ['/versioning/name']);
      expectProblem(await admin.get('/organizations/ACME!'), 422, 'PORTICO_VALIDATION_FAILED', 'bad path parameter');
    });
  });
}
