import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import type { Gateway } from '../../src/gateway/index.ts';
import { api, backend, call, closeServer, echoBackend, json, listen, snapshot, startGateway, type Seen } from './helpers.ts';

describe('gateway routing', () => {
  let gw: Gateway;
  let port: number;
  const servers: Server[] = [];
  let urlA = '';
  let urlB = '';

  before(async () => {
    const a = echoBackend((_req, res) => {
      res.setHeader('x-backend', 'a');
      return false;
    });
    const b = echoBackend((_req, res) => {
      res.setHeader('x-backend', 'b');
      return false;
    });
    servers.push(a, b);
    urlA = await listen(a);
    urlB = await listen(b);
    ({ gateway: gw, port } = await startGateway(
      snapshot(
        7,
        [backend('ba', [urlA]), backend('bb', [urlB])],
        [
          api('any', '/shop', 'ba'),
          api('hosted', '/shop', 'bb', { host: 'shop.example.com' }),
          api('ops', '/orders', 'ba', {
            operations: [
              { id: 'get', method: 'GET', path: '/{id}' },
              { id: 'del', method: 'DELETE', path: '/{id}' },
              { id: 'lines', method: 'GET', path: '/{id}/lines/{line}' },
              { id: 'create', method: 'POST', path: '/' },
            ],
          }),
          api('v1', '/pets', 'ba', { version: 'v1', versioning: { scheme: 'path', name: null } }),
          api('v2', '/pets', 'bb', { version: 'v2', versioning: { scheme: 'path', name: null } }),
          api('h1', '/hdr', 'ba', { version: '1', versioning: { scheme: 'header', name: 'Api-Version' } }),
          api('h2', '/hdr', 'bb', { version: '2', versioning: { scheme: 'header', name: 'Api-Version' } }),
          api('q1', '/qry', 'ba', { version: '1', versioning: { scheme: 'query', name: 'api-version' } }),
          api('q2', '/qry', 'bb', { version: '2', versioning: { scheme: 'query', name: 'api-version' } }),
        ],
      ),
    ));
  });
  after(async () => {
    await gw.close();
    for (const s of servers) await closeServer(s);
  });

  it('routes by base path and strips it before the target path', async () => {
    const r = await call(port, '/shop/items/1');
    assert.equal(r.status, 200);
    assert.equal(json<Seen>(r).url, '/items/1');
  });

  it('prefers the API bound to the request host over the host-less one', async () => {
    const r = await call(port, '/shop/x', { headers: { host: 'SHOP.example.com:8080' } });
    assert.equal(r.headers['x-backend'], 'b');
    const other = await call(port, '/shop/x', { headers: { host: 'other.example.com' } });
    assert.equal(other.headers['x-backend'], 'a');
  });

  it('does not match a path that merely starts with the base path', async () => {
    const r = await call(port, '/shopping');
    assert.equal(r.status, 404);
    assert.equal(json(r).code, 'PORTICO_ROUTE_NOT_FOUND');
    assert.equal(r.headers['content-type'], 'application/problem+json');
    assert.equal(json(r).requestId, r.headers['x-request-id']);
  });

  it('matches operation templates with parameters', async () => {
    assert.equal(json<Seen>(await call(port, '/orders/42')).url, '/42');
    assert.equal(json<Seen>(await call(port, '/orders/42/lines/3')).url, '/42/lines/3');
    assert.equal((await call(port, '/orders/42/other')).status, 404);
    assert.equal((await call(port, '/orders', { method: 'POST', body: 'x' })).status, 200);
  });

  it('answers 405 with Allow for a known path and a wrong method', async () => {
    const r = await call(port, '/orders/42', { method: 'PUT' });
    assert.equal(r.status, 405);
    assert.equal(json(r).code, 'PORTICO_METHOD_NOT_ALLOWED');
    assert.deepEqual(r.headers.allow!.split(', ').sort(), ['DELETE', 'GET', 'HEAD']);
  });

  it('offers HEAD wherever GET is declared', async () => {
    const r = await call(port, '/orders/42', { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
  });

  it('selects the version from a path segment', async () => {
    const v1 = await call(port, '/pets/v1/dogs');
    const v2 = await call(port, '/pets/v2/dogs');
    assert.equal(v1.headers['x-backend'], 'a');
    assert.equal(v2.headers['x-backend'], 'b');
    assert.equal(json<Seen>(v2).url, '/dogs');
    assert.equal((await call(port, '/pets/v3/dogs')).status, 404);
  });

  it('selects the version from a header', async () => {
    assert.equal((await call(port, '/hdr/x', { headers: { 'api-version': '2' } })).headers['x-backend'], 'b');
    assert.equal((await call(port, '/hdr/x', { headers: { 'api-version': '1' } })).headers['x-backend'], 'a');
    assert.equal((await call(port, '/hdr/x')).status, 404);
  });

  it('selects the version from a query parameter and forwards the query', async () => {
    const r = await call(port, '/qry/x?a=1&api-version=2');
    assert.equal(r.headers['x-backend'], 'b');
    assert.equal(json<Seen>(r).url, '/x?a=1&api-version=2');
  });

  it('keeps /healthz and /readyz for itself', async () => {
    assert.equal((await call(port, '/healthz')).status, 200);
    const ready = await call(port, '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(json(ready).revision, 7);
  });

  it('is not ready and routes nothing before the first snapshot', async () => {
    const { gateway, port: p } = await startGateway();
    try {
      assert.equal(gateway.revision, null);
      assert.equal((await call(p, '/healthz')).status, 200);
      const r = await call(p, '/readyz');
      assert.equal(r.status, 503);
      assert.equal(json(r).code, 'PORTICO_NOT_READY');
      assert.equal((await call(p, '/shop')).status, 503);
    } finally {
      await gateway.close();
    }
  });

  it('rejects an invalid snapshot and keeps serving the previous one', () => {
    assert.throws(() => gw.apply(snapshot(8, [], [api('x', '/x', 'missing')])), /unknown backend/);
    assert.throws(() => gw.apply(snapshot(8, [backend('b', ['ftp://x'])], [])), /http or https/);
    assert.equal(gw.revision, 7);
  });
});
