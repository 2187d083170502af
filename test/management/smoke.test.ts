import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';
import { DIALECTS } from '../helpers/stores.ts';
import { seedCatalog } from '../helpers/fixtures.ts';

for (const dialect of DIALECTS) {
  describe(`quickstart flow on ${dialect}`, () => {
    let p: TestPortico;
    before(async () => {
      p = await startTestPortico(dialect);
    });
    after(async () => p.close());

    it('creates an active contract on a locked plan of a published product', async () => {
      const { product, plan, app } = await seedCatalog(p.admin, 'acme');
      const contract = await p.admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: product.id, planId: plan.id });
      assert.equal(contract.status, 201, JSON.stringify(contract.body));
      assert.equal(contract.body.status, 'active');
    });
  });
}

describe('console sessions', () => {
  let p: TestPortico;
  before(async () => {
    p = await startTestPortico('sqlite');
  });
  after(async () => p.close());

  it('signs in with a password and refuses a cross-site write carrying the session cookie', async () => {
    const signIn = await fetch(`${p.api}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@portico.local', password: 'correct horse battery staple' }),
    });
    assert.equal(signIn.status, 201);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    assert.match(signIn.headers.get('set-cookie')!, /HttpOnly; SameSite=Strict/);
    const me = await fetch(`${p.api}/me`, { headers: { cookie } });
    assert.equal(((await me.json()) as { isAdmin: boolean }).isAdmin, true);
    const body = JSON.stringify({ id: 'csrf', name: 'x' });
    const crossSite = await fetch(`${p.api}/organizations`, { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, body });
    assert.equal(crossSite.status, 403);
    const sameSite = await fetch(`${p.api}/organizations`, { method: 'POST', headers: { cookie, origin: p.url, 'content-type': 'application/json' }, body });
    assert.equal(sameSite.status, 201);
  });

  it('refuses a wrong password with 401 PORTICO_INVALID_CREDENTIALS', async () => {
    const res = await fetch(`${p.api}/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@portico.local', password: 'wrong password here' }) });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'PORTICO_INVALID_CREDENTIALS');
  });
});
