import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { echoBackend } from '../gateway/helpers.ts';
import { fixtureOperations } from './openapi-bed.ts';
import { pointers, policyBed, type PolicyBed } from './helpers.ts';

interface Problem {
  status: number;
  code: string;
  detail?: string;
  errors?: { in: string; name?: string; pointer: string; message: string }[];
}

const TENANT = { 'x-tenant': 'acme' };

describe('validate-request and validate-response against the OpenAPI description of the operation', () => {
  let bed: PolicyBed;
  let calls = 0;
  before(async () => {
    // The backend answers with what x-reply-* asks for, else echoes the request.
    const backend = echoBackend((req, res) => {
      calls++;
      const status = req.headers['x-reply-status'];
      if (status === undefined) return false;
      const body = String(req.headers['x-reply-body'] ?? '');
      res.writeHead(Number(status), { 'content-type': String(req.headers['x-reply-type'] ?? 'application/json'), 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    });
    bed = await policyBed([], backend, { operations: await fixtureOperations('shop.yaml') });
  });
  after(() => bed.close());

  const get = (path: string, headers: Record<string, string> = TENANT) => fetch(`${bed.url}/t${path}`, { headers });
  const put = (body: string, type = 'application/json') => fetch(`${bed.url}/t/orders/7`, { method: 'PUT', body, headers: { 'content-type': type } });
  const problemOf = async (res: Response) => (await res.json()) as Problem;

  it('lets a call that matches the description through to the backend', async () => {
    bed.use([{ type: 'validate-request', config: {} }]);
    const res = await get('/orders/7?limit=100&tags=a&tags=b', { ...TENANT, cookie: 'session=abcd' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { url: string }).url, '/orders/7?limit=100&tags=a&tags=b');
  });

  it('refuses with 400 PORTICO_REQUEST_INVALID listing every parameter violation, without calling the backend', async () => {
    bed.use([{ type: 'validate-request', config: {} }]);
    const before = calls;
    const res = await get('/orders/0?limit=abc&tags=a&tags=c', { cookie: 'session=ab' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const p = await problemOf(res);
    assert.equal(p.code, 'PORTICO_REQUEST_INVALID');
    const seen = p.errors!.map((e) => `${e.in} ${e.name}${e.pointer}: ${e.message}`).sort();
    assert.deepEqual(seen, ['cookie session: must NOT have fewer than 3 characters', 'header x-tenant: is required', 'path id: must be >= 1', 'query limit: must be integer', 'query tags/1: must be one of ["a","b"]']);
    assert.match(p.detail!, /^5 violations; first: /);
    assert.equal(calls, before);
  });

  it('checks huge numbers in parameters against their bounds instead of letting them pass', async () => {
    bed.use([{ type: 'validate-request', config: {} }]);
    const p = await problemOf(await get('/orders/7?limit=1e400'));
    assert.deepEqual(p.errors, [{ in: 'query', name: 'limit', pointer: '', message: 'must be integer' }]);
    const big = await problemOf(await get('/orders/7?limit=1e300'));
    assert.deepEqual(big.errors, [{ in: 'query', name: 'limit', pointer: '', message: 'must be <= 100' }]);
  });

  it('lists query parameters the operation does not declare only when unspecifiedParameters is refuse', async () => {
    bed.use([{ type: 'validate-request', config: {} }]);
    assert.equal((await get('/orders/7?debug=1')).status, 200);
    bed.use([{ type: 'validate-request', config: { unspecifiedParameters: 'refuse' } }]);
    const p = await problemOf(await get('/orders/7?debug=1&limit=2'));
    assert.deepEqual(p.errors, [{ in: 'query', name: 'debug', pointer: '', message: 'is not a parameter of this operation' }]);
  });

  it('validates a JSON body with OpenAPI 3.0 nullable and boolean exclusiveMinimum, listing every violation', async () => {
    bed.use([{ type: 'validate-request', config: {} }]);
    const ok = await put('{"id": 7, "note": null, "items": ["pen"], "total": 0.5}');
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { body: string }).body, '{"id": 7, "note": null, "items": ["pen"], "total": 0.5}');
    const p = await problemOf(await put('{"id": "7", "note": 3, "total": 0, "extra": true}'));
    assert.equal(p.code, 'PORTICO_REQUEST_INVALID');
    const seen = p.errors!.map((e) => `${e.in} ${e.pointer}: ${e.message}`).sort();
    assert.deepEqual(seen, ['body /id: must be integer', 'body /items: is required', 'body /note: must be string,null', 'body /total: must be > 0', 'body : has a property not allowed: extra']);
  });

  it('refuses a missing required body with 400 and an undeclared content type with 415 PORTICO_UNSUPPORTED_CONTENT', async () => {
    bed.use([{ type: 'validate-request', config: {} }]);
    const missing = await problemOf(await fetch(`${bed.url}/t/orders/7`, { method: 'PUT' }));
    assert.deepEqual(missing.errors, [{ in: 'body', pointer: '', message: 'is required' }]);
    const xml = await put('<order/>', 'application/xml');
    assert.equal(xml.status, 415);
    const p = await problemOf(xml);
    assert.equal(p.code, 'PORTICO_UNSUPPORTED_CONTENT');
    assert.deepEqual(p.errors, [{ in: 'header', name: 'content-type', pointer: '', message: 'application/xml is not declared; declared: application/json' }]);
  });

  it('answers hostile bodies with 400 and a clear message and keeps serving', async () => {
    bed.use([{ type: 'validate-request', config: {} }]);
    const post = (body: string) => fetch(`${bed.url}/t/tree`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const broken = await problemOf(await post('{"name": '));
    assert.equal(broken.status, 400);
    assert.match(broken.errors![0]!.message, /^is not valid JSON: /);
    const deep = await problemOf(await post('{"name":"a","children":['.repeat(5000) + ']}'.repeat(5000)));
    assert.equal(deep.errors![0]!.message, 'nests deeper than 64 levels');
    const huge = await problemOf(await post('{"name": "a", "size": 1e400}'));
    assert.deepEqual(huge.errors, [{ in: 'body', pointer: '/size', message: 'is a number too large to represent' }]);
    const nested = await problemOf(await post('{"name":"a","children":[{"name":"b","children":[{"name":5}]}]}'));
    assert.deepEqual(nested.errors, [{ in: 'body', pointer: '/children/0/children/0/name', message: 'must be string' }]);
    assert.equal((await post('{"name":"a","children":[{"name":"b"}]}')).status, 200);
  });

  it('refuses bodies beyond maxBodyBytes with 413 PORTICO_BODY_TOO_LARGE', async () => {
    bed.use([{ type: 'validate-request', config: { maxBodyBytes: 20 } }]);
    assert.equal((await put('{"id": 7, "items": []}')).status, 413);
    assert.equal((await put('{"id":7,"items":[]}')).status, 200);
  });

  it('streams the body of an operation that declares none: it is never buffered', async () => {
    bed.use([{ type: 'validate-request', config: {} }]);
    const seen = await new Promise<{ headers: Record<string, string>; body: string }>((resolve, reject) => {
      const req = request(`${bed.url}/t/ping`, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(JSON.parse(text) as { headers: Record<string, string>; body: string }));
      });
      req.on('error', reject);
      req.write('part one, ');
      req.end('part two');
    });
    assert.equal(seen.headers['transfer-encoding'], 'chunked', 'a buffered body would arrive with a Content-Length');
    assert.equal(seen.body, 'part one, part two');
  });

  it('refuses every call of a route without an OpenAPI description with 500 PORTICO_POLICY_FAILED', async () => {
    bed.use([{ type: 'validate-request', config: {} }]);
    const noSpec = await policyBed([{ type: 'validate-request', config: {} }]);
    try {
      const res = await fetch(`${noSpec.url}/t/anything`);
      assert.equal(res.status, 500);
      const p = await problemOf(res);
      assert.equal(p.code, 'PORTICO_POLICY_FAILED');
      assert.match(p.detail!, /OpenAPI description/);
    } finally {
      await noSpec.close();
    }
  });

  it('passes a declared answer and refuses an undeclared status or an invalid body with 502 PORTICO_RESPONSE_INVALID', async () => {
    bed.use([{ type: 'validate-response', config: {} }]);
    const reply = (status: number, body: string, type = 'application/json') => get('/orders/7', { 'x-reply-status': String(status), 'x-reply-body': body, 'x-reply-type': type });
    const ok = await reply(200, '{"id":7,"items":[],"note":null}');
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '{"id":7,"items":[],"note":null}');
    assert.equal((await reply(200, '<order/>', 'application/xml')).status, 200);
    assert.equal((await reply(404, '')).status, 404);
    const bad = await reply(200, '{"id":"seven"}');
    assert.equal(bad.status, 502);
    const p = await problemOf(bad);
    assert.equal(p.code, 'PORTICO_RESPONSE_INVALID');
    assert.deepEqual(p.errors!.map((e) => `${e.pointer}: ${e.message}`).sort(), ['/id: must be integer', '/items: is required']);
    const status = await problemOf(await reply(500, '{}'));
    assert.deepEqual(status.errors, [{ in: 'status', pointer: '', message: '500 is not declared by the operation' }]);
    const type = await problemOf(await reply(200, 'hello', 'text/plain'));
    assert.equal(type.errors![0]!.message, 'text/plain is not declared; declared: application/json, application/xml');
    const broken = await problemOf(await reply(200, '{"id":'));
    assert.match(broken.errors![0]!.message, /^is not valid JSON/);
  });

  it('in report mode passes an invalid answer on with a Portico-Response-Invalid header', async () => {
    bed.use([{ type: 'validate-response', config: { mode: 'report' } }]);
    const res = await get('/orders/7', { 'x-reply-status': '200', 'x-reply-body': '{"id":"seven","items":[]}' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{"id":"seven","items":[]}');
    assert.equal(res.headers.get('portico-response-invalid'), '1 violation; first: body /id must be integer');
    const fine = await get('/orders/7', { 'x-reply-status': '200', 'x-reply-body': '{"id":7,"items":[]}' });
    assert.equal(fine.headers.get('portico-response-invalid'), null);
  });

  it('validates OpenAPI 3.1 bodies as JSON Schema 2020-12 (type lists, const, numeric exclusiveMinimum)', async () => {
    const pets = await policyBed([{ type: 'validate-request', config: {} }], echoBackend(), { operations: await fixtureOperations('pets31.yaml') });
    try {
      const post = (body: string) => fetch(`${pets.url}/t/pets`, { method: 'POST', body, headers: { 'content-type': 'application/json; charset=utf-8' } });
      assert.equal((await post('{"kind":"dog","age":null}')).status, 200);
      const p = await problemOf(await post('{"kind":"cat","age":0}'));
      assert.deepEqual(p.errors!.map((e) => `${e.pointer}: ${e.message}`).sort(), ['/age: must be > 0', '/kind: must be equal to constant']);
    } finally {
      await pets.close();
    }
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('validate-request', {}), []);
    assert.deepEqual(pointers('validate-request', { unspecifiedParameters: 'drop' }), ['/config/unspecifiedParameters']);
    assert.deepEqual(pointers('validate-request', { maxBodyBytes: -1 }), ['/config/maxBodyBytes']);
    assert.deepEqual(pointers('validate-request', { strict: true }), ['/config']);
    assert.deepEqual(pointers('validate-response', { mode: 'loud' }), ['/config/mode']);
    assert.deepEqual(pointers('validate-response', { mode: 'report' }), []);
  });
});
