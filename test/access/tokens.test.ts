// Application access tokens (OAuth 2.0 client credentials) through a real gateway node: issue,
// validate locally, survive a signing-key rotation, revoke by regenerating the client secret.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Authenticator } from '../../src/services/auth.ts';
import { codeOf, get, startAccessWorld, type AccessWorld } from './setup.ts';

async function token(url: string, clientId: string, clientSecret: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  return { status: res.status, body: await res.json() };
}

describe('application access tokens on the gateway', () => {
  let w: AccessWorld;
  let app: Awaited<ReturnType<AccessWorld['application']>>;
  let access: string;

  before(async () => {
    w = await startAccessWorld('tokens');
    const apiId = await w.api({ name: 'Orders', basePath: '/orders' });
    const product = await w.product([apiId]);
    app = await w.application('Backend job');
    await w.contract(app.id, product.productId, product.planId);
    await w.synced();
  });
  after(() => w?.close());

  it('issues a short-lived token for the application (aud portico-gateway, sub the application)', async () => {
    const r = await token(w.p.url, app.clientId, app.clientSecret);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    access = r.body.access_token;
    const claims = decodeJwt(access);
    assert.equal(claims.aud, 'portico-gateway');
    assert.equal(claims.sub, app.id);
    assert.ok(claims.exp! - claims.iat! <= 300);
    assert.equal(decodeProtectedHeader(access).alg, 'EdDSA');
    const wrong = await token(w.p.url, app.clientId, 'not-the-secret');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
  });

  it('maps a bearer token to the application and its contract, like its key, and strips it', async () => {
    for (let i = 0; i < 3; i++) {
      // the first call verifies the signature, the next ones hit the cache
      const r = await get(w.gateway, '/orders/1', { authorization: `Bearer ${access}` });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.headers['x-portico-application'], app.id);
      assert.equal(r.body.headers.authorization, undefined);
    }
  });

  it('refuses a tampered, a foreign and a management token with 401 PORTICO_TOKEN_INVALID', async () => {
    const [h, p, s] = access.split('.');
    const tampered = `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const mgmt = w.admin.token!;
    for (const t of [tampered, 'not-a-jwt', mgmt]) {
      const r = await get(w.gateway, '/orders/1', { authorization: `Bearer ${t}` });
      assert.equal(r.status, 401);
      assert.equal(codeOf(r), 'PORTICO_TOKEN_INVALID');
      assert.match(String(r.headers['www-authenticate']), /^Bearer error="invalid_token"/);
    }
  });

  it('keeps accepting tokens issued under the previous signing key after a rotation', async () => {
    const before = decodeProtectedHeader(access).kid;
    // Rotate the control plane's key through the same store (what an operator's rotation does).
    const auth = new Authenticator(w.p.cp.services, decodeJwt(access).iss!);
    await auth.keys.rotate();
    await w.synced();
    const r = await get(w.gateway, '/orders/1', { authorization: `Bearer ${access}` });
    assert.equal(r.status, 200, 'old token still valid');
    const fresh = (await auth.issueToken(app.clientId, app.clientSecret)).access_token;
    assert.notEqual(decodeProtectedHeader(fresh).kid, before, 'signed with the new key');
    assert.equal((await get(w.gateway, '/orders/1', { authorization: `Bearer ${fresh}` })).status, 200, 'new token valid');
  });

  it('revokes tokens within a second of a client-secret regeneration; new tokens work', async () => {
    const old = (await token(w.p.url, app.clientId, app.clientSecret)).body.access_token as string;
    assert.equal((await get(w.gateway, '/orders/1', { authorization: `Bearer ${old}` })).status, 200, 'cached as valid');
    const regenerated = await w.admin.post(`/organizations/tokens/applications/${app.id}/client-secret`);
    assert.equal(regenerated.status, 200);
    const started = Date.now();
    await w.synced();
    const r = await get(w.gateway, '/orders/1', { authorization: `Bearer ${old}` });
    assert.equal(r.status, 401);
    assert.equal(codeOf(r), 'PORTICO_TOKEN_INVALID');
    assert.ok(Date.now() - started < 1000, `revoked after ${Date.now() - started} ms`);
    assert.equal((await token(w.p.url, app.clientId, app.clientSecret)).status, 401, 'the old secret is refused');
    const fresh = (await token(w.p.url, app.clientId, regenerated.body.clientSecret)).body.access_token as string;
    assert.equal((await get(w.gateway, '/orders/1', { authorization: `Bearer ${fresh}` })).status, 200, 'a token from the new secret works at once');
  });

  it('answers 403 when the application behind a valid token has no contract for the API', async () => {
    const other = await w.application('No contract');
    await w.synced();
    const t = (await token(w.p.url, other.clientId, other.clientSecret)).body.access_token as string;
    const r = await get(w.gateway, '/orders/1', { authorization: `Bearer ${t}` });
    assert.equal(r.status, 403);
    assert.equal(codeOf(r), 'PORTICO_NO_CONTRACT');
  });
});
