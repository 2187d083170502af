import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeServer, echoBackend } from '../gateway/helpers.ts';
import { fixtureOperations } from './openapi-bed.ts';
import { pointers, policyBed, type PolicyBed } from './helpers.ts';

describe('mock-response: answers from the OpenAPI description or from given content', () => {
  let bed: PolicyBed;
  before(async () => {
    const backend = echoBackend();
    bed = await policyBed([], backend, { operations: await fixtureOperations('shop.yaml') });
    // Every test runs against a backend that is down: a mock never calls it.
    await closeServer(backend);
  });
  after(() => bed.close());

  const call = (method: string, path: string, headers: Record<string, string> = {}) => fetch(`${bed.url}/t${path}`, { method, headers });

  it('answers with the example of the first 2xx response while the backend is down', async () => {
    bed.use([{ type: 'mock-response', config: {} }]);
    const res = await call('GET', '/orders/7');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { id: 7, note: null, items: ['pen'] });
    bed.use([]);
    assert.equal((await call('GET', '/orders/7')).status, 502, 'without the mock the backend is unreachable');
  });

  it('chooses the media type by Accept', async () => {
    bed.use([{ type: 'mock-response', config: {} }]);
    const xml = await call('GET', '/orders/7', { accept: 'text/html;q=0.9, application/xml' });
    assert.equal(xml.headers.get('content-type'), 'application/xml');
    assert.equal(await xml.text(), '<order id="7"/>');
    const json = await call('GET', '/orders/7', { accept: 'application/xml;q=0.5, application/json' });
    assert.equal(json.headers.get('content-type'), 'application/json');
  });

  it('generates the same schema-valid example on every call when the description has none', async () => {
    bed.use([
      { type: 'validate-response', config: {} },
      { type: 'mock-response', config: {} },
    ]);
    const first = await call('POST', '/tree');
    assert.equal(first.status, 201);
    const body = (await first.json()) as { name: string; children: unknown[] };
    assert.equal(body.name, 'string');
    assert.equal(body.children.length, 1);
    assert.deepEqual(await (await call('POST', '/tree')).json(), body);
  });

  it('answers with the configured status and a named example', async () => {
    bed.use([{ type: 'mock-response', config: { status: 503, example: 'gone', headers: { 'Retry-After': '60' } } }]);
    const res = await call('POST', '/tree');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '60');
    assert.deepEqual(await res.json(), { error: 'gone' });
    bed.use([{ type: 'mock-response', config: { status: 404 } }]);
    const missing = await call('GET', '/orders/7');
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), '');
  });

  it('answers with given content on a route without an OpenAPI description', async () => {
    bed.use([{ type: 'mock-response', config: { status: 202, headers: { 'X-Mock': 'yes' }, body: '{"queued": true}' } }]);
    const res = await call('PUT', '/orders/7');
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('x-mock'), 'yes');
    assert.deepEqual(await res.json(), { queued: true });
  });

  it('at operation scope mocks only that operation', async () => {
    bed.use([{ type: 'mock-response', config: { body: 'pong' }, scope: 'operation', scopeId: 'op_post_ping' }]);
    const res = await call('POST', '/ping');
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'pong');
    assert.equal((await call('GET', '/orders/7')).status, 502);
  });

  it('refuses every call with 500 PORTICO_POLICY_FAILED when the configured status is not declared', async () => {
    bed.use([{ type: 'mock-response', config: { status: 418 } }]);
    const res = await call('GET', '/orders/7');
    assert.equal(res.status, 500);
    const p = (await res.json()) as { code: string; detail: string };
    assert.equal(p.code, 'PORTICO_POLICY_FAILED');
    assert.match(p.detail, /\/status: the operation declares no response 418/);
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('mock-response', {}), []);
    assert.deepEqual(pointers('mock-response', { status: 99 }), ['/config/status']);
    assert.deepEqual(pointers('mock-response', { headers: { 'bad name': 'x' } }), ['/config/headers']);
    assert.deepEqual(pointers('mock-response', { body: 1 }), ['/config/body']);
    assert.deepEqual(pointers('mock-response', { example: '' }), ['/config/example']);
  });
});
