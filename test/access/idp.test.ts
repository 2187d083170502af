// JWT validation against an external identity provider (Azure validate-jwt): a real oidc-provider on
// 127.0.0.1 issues client-credentials JWT access tokens; the gateway fetches its JWKS and verifies.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
// @ts-expect-error oidc-provider ships no type declarations (a test-only dependency)
import Provider from 'oidc-provider';
import { codeOf, get, startAccessWorld, type AccessWorld } from './setup.ts';

const RESOURCE = 'https://orders.example.test';
const OTHER_RESOURCE = 'https://billing.example.test';

describe('JWT from an external identity provider', () => {
  let w: AccessWorld;
  let idp: Server;
  let issuer: string;
  let signingJwk: JWK;
  let signingKey: CryptoKey;
  let app: Awaited<ReturnType<AccessWorld['application']>>;

  const idpToken = async (resource = RESOURCE): Promise<string> => {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('orders-client:orders-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'read' }),
    });
    const body = (await res.json()) as { access_token?: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    return body.access_token!;
  };
  /** A token signed with the provider's own key, with chosen claims (for expiry and issuer cases). */
  const forged = (claims: Record<string, unknown>, exp: number, iss = issuer) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: signingJwk.kid!, typ: 'at+jwt' }).setIssuer(iss).setAudience(RESOURCE).setIssuedAt().setExpirationTime(exp).sign(signingKey);

  before(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    signingJwk = { ...(await exportJWK(pair.privateKey)), kid: 'idp-es256', alg: 'ES256', use: 'sig' };
    idp = createServer();
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'orders-client', client_secret: 'orders-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'read', id_token_signed_response_alg: 'ES256' }],
      jwks: { keys: [signingJwk] },
      scopes: ['read'],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => ({ scope: 'read', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'ES256' } } }),
        },
      },
    } as any);
    idp.on('request', provider.callback());

    w = await startAccessWorld('idp');
    const jwt = { issuer, audiences: [RESOURCE], jwksUrl: `${issuer}/jwks`, clockSkewSeconds: 0 };
    const apiId = await w.api({ name: 'Orders', basePath: '/orders', jwt });
    await w.api({ name: 'Public orders', basePath: '/porders', visibility: 'public', jwt: { ...jwt, requiredClaims: { scope: 'read' } } });
    await w.api({ name: 'Strict orders', basePath: '/sorders', visibility: 'public', jwt: { ...jwt, requiredClaims: { scope: 'write' } } });
    const product = await w.product([apiId]);
    app = await w.application('Partner');
    await w.contract(app.id, product.productId, product.planId);
    await w.synced();
  });
  after(async () => {
    await w?.close();
    idp?.closeAllConnections();
    await new Promise((r) => idp?.close(r));
  });

  it('accepts a token from the provider and keeps its claims; the application comes from its key', async () => {
    const token = await idpToken();
    const r = await get(w.gateway, '/orders/1', { authorization: `Bearer ${token}`, 'x-api-key': app.primary });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.headers['x-portico-application'], app.id);
    assert.equal(r.body.headers.authorization, `Bearer ${token}`, "the provider's token is forwarded");
    const again = await get(w.gateway, '/porders/1', { authorization: `Bearer ${token}` });
    assert.equal(again.status, 200, 'public API with a required claim that matches');
    // A private API still needs the key besides the token.
    assert.equal(codeOf(await get(w.gateway, '/orders/1', { authorization: `Bearer ${token}` })), 'PORTICO_KEY_MISSING');
  });

  it('answers 401 PORTICO_TOKEN_MISSING without a bearer token', async () => {
    const r = await get(w.gateway, '/porders/1');
    assert.equal(r.status, 401);
    assert.equal(codeOf(r), 'PORTICO_TOKEN_MISSING');
    assert.equal(r.headers['www-authenticate'], 'Bearer');
  });

  const refuses = async (token: string, why: RegExp, path = '/porders/1') => {
    const r = await get(w.gateway, path, { authorization: `Bearer ${token}` });
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(codeOf(r), 'PORTICO_TOKEN_INVALID');
    assert.match(r.body.detail, why);
  };

  it('rejects a bad signature', async () => {
    const [h, p] = (await idpToken()).split('.');
    const other = (await forged({ x: 1 }, Math.floor(Date.now() / 1000) + 60)).split('.')[2];
    await refuses(`${h}.${p}.${other}`, /signature/);
  });

  it('rejects an expired token', async () => {
    await refuses(await forged({ scope: 'read' }, Math.floor(Date.now() / 1000) - 5), /expired/);
  });

  it('rejects a wrong audience (a token the provider issued for another resource)', async () => {
    await refuses(await idpToken(OTHER_RESOURCE), /"aud"/);
  });

  it('rejects a wrong issuer', async () => {
    await refuses(await forged({ scope: 'read' }, Math.floor(Date.now() / 1000) + 60, 'https://evil.example.test'), /"iss"/);
  });

  it('rejects an unknown kid (after at most one JWKS refetch)', async () => {
    const stranger = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'read' }).setProtectedHeader({ alg: 'ES256', kid: 'not-in-jwks' }).setIssuer(issuer).setAudience(RESOURCE).setIssuedAt().setExpirationTime('1m').sign(stranger.privateKey);
    await refuses(token, /unknown key/);
  });

  it("rejects alg none and HS256 signed with the provider's public key", async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const payload = b64({ iss: issuer, aud: RESOURCE, iat: now, exp: now + 60, scope: 'read' });
    await refuses(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, /algorithm|not valid/);
    const { createHmac } = await import('node:crypto');
    const head = b64({ alg: 'HS256', kid: signingJwk.kid });
    const sig = createHmac('sha256', JSON.stringify({ kty: signingJwk.kty, crv: signingJwk.crv, x: signingJwk.x, y: signingJwk.y })).update(`${head}.${payload}`).digest('base64url');
    await refuses(`${head}.${payload}.${sig}`, /algorithm|not valid/);
  });

  it('rejects a token missing a required claim value', async () => {
    await refuses(await idpToken(), /"scope"/, '/sorders/1');
  });

  it('refuses to store an API with alg none or HS256 (422)', async () => {
    for (const alg of ['none', 'HS256']) {
      const r = await w.admin.post('/organizations/idp/apis', { name: `bad-${alg}`, basePath: `/bad${alg}`, backendId: w.backendId, jwt: { issuer, audiences: [RESOURCE], jwksUrl: `${issuer}/jwks`, algorithms: [alg] } });
      assert.equal(r.status, 422, JSON.stringify(r.body));
    }
  });
});
