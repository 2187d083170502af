import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGatewayNode, type RunningGateway } from '../../src/cli/gateway-node.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';
import { seedCatalog } from '../helpers/fixtures.ts';
import { pointers, policyBed, type PolicyBed } from './helpers.ts';

interface Echo {
  headers: Record<string, string>;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('backend-auth: the gateway authenticates to the backend', () => {
  let bed: PolicyBed;
  before(async () => {
    bed = await policyBed();
  });
  after(() => bed.close());

  const seen = async (headers: Record<string, string> = {}) => ((await (await fetch(`${bed.url}/t/x`, { headers })).json()) as Echo).headers;

  it("sends Basic credentials from a named value in place of the client's Authorization", async () => {
    bed.use([{ type: 'backend-auth', config: { scheme: 'basic', username: 'portico', password: '{{backendPassword}}' } }], { backendPassword: 'pä$$:word' });
    assert.equal((await seen({ authorization: 'Bearer client-token' })).authorization, basic('portico', 'pä$$:word'));
    assert.equal((await seen()).authorization, basic('portico', 'pä$$:word'));
  });

  it('sends a Bearer token rendered from a template, and the client credential only in the header named for it', async () => {
    bed.use([{ type: 'backend-auth', config: { scheme: 'bearer', token: '{{serviceToken}}', forwardClientAuthorizationAs: 'X-Client-Authorization' } }], { serviceToken: 'tok.en-1' });
    const headers = await seen({ authorization: 'Basic Y2xpZW50OnNlY3JldA==' });
    assert.equal(headers.authorization, 'Bearer tok.en-1');
    assert.equal(headers['x-client-authorization'], 'Basic Y2xpZW50OnNlY3JldA==');
    assert.equal((await seen())['x-client-authorization'], undefined);
  });

  it('computes a per-call token from an earlier policy', async () => {
    bed.use([
      { type: 'set-variable', config: { name: 'token', value: '"t-" + api.name' } },
      { type: 'backend-auth', config: { scheme: 'bearer', token: '{{vars.token}}' } },
    ]);
    assert.match((await seen()).authorization!, /^Bearer t-/);
  });

  it('refuses the call with 500 PORTICO_POLICY_FAILED, without quoting it, when a named value makes an unusable credential', async () => {
    bed.use([{ type: 'backend-auth', config: { scheme: 'basic', username: '{{backendUser}}', password: 'x' } }], { backendUser: 'svc:leaked' });
    const res = await fetch(`${bed.url}/t/x`);
    assert.equal(res.status, 500);
    const problem = (await res.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'PORTICO_POLICY_FAILED');
    assert.doesNotMatch(problem.detail, /leaked/);
    bed.use([{ type: 'backend-auth', config: { scheme: 'bearer', token: '{{serviceToken}}' } }], { serviceToken: 'two words\r\nX-Injected: 1' });
    const injected = await fetch(`${bed.url}/t/x`);
    assert.equal(injected.status, 500);
    assert.doesNotMatch(await injected.text(), /two words|Injected/);
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('backend-auth', { scheme: 'basic', username: 'u' }), ['/config/password']);
    assert.deepEqual(pointers('backend-auth', { scheme: 'basic', username: 'u', password: 'p', token: 't' }), ['/config/token']);
    assert.deepEqual(pointers('backend-auth', { scheme: 'bearer' }), ['/config/token']);
    assert.deepEqual(pointers('backend-auth', { scheme: 'bearer', token: 't', username: 'u' }), ['/config/username']);
    assert.deepEqual(pointers('backend-auth', { scheme: 'basic', username: 'a:b', password: 'p' }), ['/config/username']);
    assert.deepEqual(pointers('backend-auth', { scheme: 'basic', username: 'u', password: '{{unknownSecret}}' }), ['/config/password']);
    assert.deepEqual(pointers('backend-auth', { scheme: 'digest' }), ['/config/scheme']);
    assert.deepEqual(pointers('backend-auth', { scheme: 'bearer', token: 't', forwardClientAuthorizationAs: 'bad header' }), ['/config/forwardClientAuthorizationAs']);
    assert.deepEqual(pointers('backend-auth', { scheme: 'basic', username: '{{user}}', password: '{{backendPassword}}' }, ['user', 'backendPassword']), []);
  });
});

describe('backend-auth secrets through the control plane', () => {
  const SECRET = 'n0t-in-any-trace-7f3a';
  let p: TestPortico;
  let gw: RunningGateway;
  let dir: string;
  let key: string;
  let path: string;

  before(async () => {
    p = await startTestPortico('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'portico-backend-auth-'));
    gw = await startGatewayNode({ host: '127.0.0.1', port: 0, workers: 1, controlPlaneUrl: p.url, token: p.cp.gatewayToken, dataDir: dir, logger: createLogger('silent') });
    const seeded = await seedCatalog(p.admin, 'secretive', '/secretive');
    await p.admin.patch(`/organizations/secretive/backends/${seeded.backend.id}`, { targets: [{ url: `${p.url}/echo-service` }] });
    await p.admin.post('/organizations/secretive/contracts', { applicationId: seeded.app.id, productId: seeded.product.id, planId: seeded.plan.id });
    key = (await p.admin.get(`/organizations/secretive/applications/${seeded.app.id}/keys`)).body.primary;
    assert.equal((await p.admin.post('/organizations/secretive/named-values', { name: 'backendPassword', value: SECRET, secret: true })).status, 201);
    const policy = { scope: { type: 'api', id: seeded.api.id }, type: 'backend-auth', config: { scheme: 'basic', username: 'portico', password: '{{backendPassword}}' } };
    assert.equal((await p.admin.post('/organizations/secretive/policies', policy)).status, 201);
    path = `http://127.0.0.1:${gw.port}/secretive/orders/1`;
    for (let i = 0; i < 100; i++) {
      const r = await fetch(path, { headers: { 'x-api-key': key } });
      const body = r.status === 200 ? ((await r.json()) as Echo) : (await r.arrayBuffer(), null);
      if (body?.headers.authorization !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  after(async () => {
    await gw?.close();
    await p?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const leaks = (text: string) => text.includes(SECRET) || text.includes(Buffer.from(`portico:${SECRET}`).toString('base64'));

  it('sends the secret to the backend and never into the trace, the policy types or the stored policy', async () => {
    const issued = await p.admin.post('/organizations/secretive/trace-tokens', { ttlSeconds: 60 });
    assert.equal(issued.status, 201);
    const res = await fetch(path, { headers: { 'x-api-key': key, authorization: 'Bearer from-the-client', 'portico-trace-token': issued.body.token } });
    const echoed = (await res.json()) as Echo;
    assert.equal(echoed.headers.authorization, basic('portico', SECRET));
    const trace = res.headers.get('portico-trace');
    assert.ok(trace);
    const decoded = Buffer.from(trace, 'base64url').toString('utf8');
    assert.match(decoded, /backend-auth/);
    assert.equal(leaks(decoded) || leaks(trace), false);

    const types = await p.admin.get('/policy-types');
    const text = JSON.stringify(types.body);
    assert.match(text, /backend-auth/);
    assert.equal(leaks(text), false);
    const stored = await p.admin.get('/organizations/secretive/policies');
    assert.equal(leaks(JSON.stringify(stored.body)), false);
  });
});
