import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { URL } from 'node:url';
import { call, echoBackend, json } from '../gateway/helpers.ts';
import { keyed, pointers, policyBed, type PolicyBed } from './helpers.ts';

const APP = 'https://app.example.com';
const CORS = {
  origins: [APP, 'https://*.example.org'],
  methods: ['GET', 'POST', 'DELETE'],
  exposeHeaders: ['X-Request-Id', 'RateLimit-Remaining'],
  credentials: true,
  maxAgeSeconds: 600,
};
const preflight = (origin: string, method = 'DELETE', headers = 'X-API-Key, Content-Type') => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
});

describe('cors: preflights at the gateway, headers on answers and on errors', () => {
  let bed: PolicyBed;
  let port: number;
  let backendCalls = 0;
  before(async () => {
    // The backend sends its own Vary, which the policy must keep.
    const backend = echoBackend((_req, res) => {
      backendCalls++;
      res.writeHead(200, { vary: 'Accept-Encoding', 'content-type': 'text/plain' });
      res.end('from backend');
      return true;
    });
    bed = await policyBed([], backend, { visibility: 'private' });
    port = Number(new URL(bed.url).port);
  });
  after(() => bed.close());
  const use = (config: Record<string, unknown> = CORS, more: { type: string; config: Record<string, unknown> }[] = []) => bed.use([{ type: 'cors', config }, ...more], {}, keyed('key-1'));

  it('answers an allowed preflight with 204, without an API key and without calling the backend', async () => {
    use();
    const calls = backendCalls;
    const r = await call(port, '/t/orders/7', preflight(APP));
    assert.equal(r.status, 204);
    assert.equal(r.headers['access-control-allow-origin'], APP);
    assert.equal(r.headers['access-control-allow-methods'], 'GET, POST, DELETE');
    assert.equal(r.headers['access-control-allow-headers'], 'x-api-key, content-type');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    assert.equal(r.headers['access-control-max-age'], '600');
    assert.match(String(r.headers.vary), /Origin, Access-Control-Request-Method, Access-Control-Request-Headers/);
    assert.equal(r.headers['content-length'], undefined);
    assert.equal(backendCalls, calls);
  });

  it('matches subdomain patterns, and refuses other origins, methods and headers with 403 PORTICO_CORS_REJECTED', async () => {
    use({ ...CORS, allowHeaders: ['X-API-Key'] });
    assert.equal((await call(port, '/t/x', preflight('https://a.b.example.org', 'GET', 'x-api-key'))).headers['access-control-allow-origin'], 'https://a.b.example.org');
    for (const [origin, method, headers, what] of [
      ['https://example.org', 'GET', 'x-api-key', /Origin/],
      ['https://a.example.org.evil.test', 'GET', 'x-api-key', /Origin/],
      [APP, 'PUT', 'x-api-key', /Method PUT/],
      [APP, 'GET', 'x-api-key, x-secret', /Header x-secret/],
    ] as const) {
      const r = await call(port, '/t/x', preflight(origin, method, headers));
      assert.equal(r.status, 403, origin);
      assert.equal(json(r).code, 'PORTICO_CORS_REJECTED');
      assert.match(String(json(r).detail), what);
    }
  });

  it('adds Access-Control-Allow-Origin and Vary: Origin to the backend answer of an allowed origin', async () => {
    use();
    const r = await call(port, '/t/x', { headers: { origin: APP, 'x-api-key': 'key-1' } });
    assert.equal(r.body, 'from backend');
    assert.equal(r.headers['access-control-allow-origin'], APP);
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    assert.equal(r.headers['access-control-expose-headers'], 'X-Request-Id, RateLimit-Remaining');
    assert.equal(r.headers.vary, 'Accept-Encoding, Origin');
  });

  it('forwards a call from an origin not allowed without CORS headers, or refuses it when configured to', async () => {
    use();
    const forwarded = await call(port, '/t/x', { headers: { origin: 'https://evil.test', 'x-api-key': 'key-1' } });
    assert.equal(forwarded.body, 'from backend');
    assert.equal(forwarded.headers['access-control-allow-origin'], undefined);
    use({ ...CORS, disallowedOrigin: 'refuse' });
    const calls = backendCalls;
    const refused = await call(port, '/t/x', { headers: { origin: 'https://evil.test', 'x-api-key': 'key-1' } });
    assert.equal(json(refused).code, 'PORTICO_CORS_REJECTED');
    assert.equal(backendCalls, calls);
    assert.equal((await call(port, '/t/x', { headers: { origin: APP, 'x-api-key': 'key-1' } })).status, 200);
  });

  it('puts CORS headers on error problems: a missing key (401) and a refusal by a later policy (413)', async () => {
    use(CORS, [{ type: 'request-size-limit', config: { maxBytes: 4 } }]);
    const denied = await call(port, '/t/x', { headers: { origin: APP } });
    assert.equal(denied.status, 401);
    assert.equal(json(denied).code, 'PORTICO_KEY_MISSING');
    assert.equal(denied.headers['access-control-allow-origin'], APP);
    assert.equal(denied.headers['access-control-allow-credentials'], 'true');
    const large = await call(port, '/t/x', { method: 'POST', body: 'too long', headers: { origin: APP, 'x-api-key': 'key-1' } });
    assert.equal(json(large).code, 'PORTICO_BODY_TOO_LARGE');
    assert.equal(large.headers['access-control-allow-origin'], APP);
  });

  it('answers `*` origins with `*` and allows any method when told to', async () => {
    use({ origins: ['*'], methods: ['*'] });
    const r = await call(port, '/t/x', preflight('https://anyone.test', 'PURGE', 'x-api-key'));
    assert.equal(r.status, 204);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers['access-control-allow-methods'], 'PURGE');
    assert.equal((await call(port, '/t/x', { headers: { origin: 'https://anyone.test', 'x-api-key': 'key-1' } })).headers['access-control-allow-origin'], '*');
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('cors', { origins: ['*'], credentials: true }), ['/config/credentials']);
    assert.deepEqual(pointers('cors', { origins: [APP, 'https://api.example.com/'] }), ['/config/origins/1']);
    assert.deepEqual(pointers('cors', { origins: [APP, '*'] }), ['/config/origins/1']);
    assert.deepEqual(pointers('cors', { origins: ['null'] }), ['/config/origins/0']);
    assert.deepEqual(pointers('cors', { origins: [] }), ['/config/origins']);
    assert.deepEqual(pointers('cors', { origins: [APP], maxAgeSeconds: -1 }), ['/config/maxAgeSeconds']);
    assert.deepEqual(pointers('cors', { origins: [APP, 'http://*.localhost:5173'] }), []);
  });
});

describe('cors on an API with operations but no OPTIONS operation', () => {
  let bed: PolicyBed;
  let port: number;
  before(async () => {
    bed = await policyBed([], echoBackend(), { visibility: 'private', operations: [{ id: 'op_del', method: 'DELETE', path: '/orders/{id}' }] });
    port = Number(new URL(bed.url).port);
  });
  after(() => bed.close());

  it('answers the preflight on the route of the method it asks about', async () => {
    bed.use([{ type: 'cors', config: CORS }], {}, keyed('key-1'));
    const r = await call(port, '/t/orders/7', preflight(APP, 'DELETE'));
    assert.equal(r.status, 204);
    assert.equal(r.headers['access-control-allow-origin'], APP);
  });

  it('keeps 405 for an OPTIONS no policy answers there', async () => {
    bed.use([{ type: 'ip-filter', config: { allow: ['127.0.0.1'] } }], {}, keyed('key-1'));
    const r = await call(port, '/t/orders/7', preflight(APP, 'DELETE'));
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'DELETE');
    bed.use([], {}, keyed('key-1'));
    assert.equal((await call(port, '/t/orders/7', preflight(APP, 'DELETE'))).status, 405);
  });
});
