import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request as httpRequest, type Server } from 'node:http';
import type { Gateway } from '../../src/gateway/index.ts';
import { api, backend, call, closeServer, echoBackend, json, listen, rawRequest, snapshot, startGateway, type Seen } from './helpers.ts';

describe('gateway proxying (HTTP/1.1 semantics)', () => {
  let gw: Gateway;
  let port: number;
  let server: Server;

  before(async () => {
    server = echoBackend((req, res, body) => {
      const u = req.url!;
      if (u.startsWith('/base/cookies')) {
        res.writeHead(200, [['Set-Cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=2, c=3; Path=/']].flat());
        res.end('ok');
        return true;
      }
      if (u.startsWith('/base/nocontent')) {
        res.writeHead(204, { 'x-kind': 'nc' });
        res.end();
        return true;
      }
      if (u.startsWith('/base/notmodified')) {
        res.writeHead(304, { etag: '"1"' });
        res.end();
        return true;
      }
      if (u.startsWith('/base/hop')) {
        res.writeHead(200, { connection: 'x-secret', 'x-secret': 'no', 'keep-alive': 'timeout=5', 'x-kept': 'yes', 'content-length': '2' });
        res.end('ok');
        return true;
      }
      if (u.startsWith('/base/big')) {
        const n = Number(new URL(u, 'http://x').searchParams.get('n'));
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 120);
        for (let i = 0; i < n; i++) res.write(chunk);
        res.end();
        return true;
      }
      if (u.startsWith('/base/size')) {
        res.end(String(Buffer.byteLength(body)));
        return true;
      }
      return false;
    });
    const url = await listen(server);
    ({ gateway: gw, port } = await startGateway(
      snapshot(
        1,
        [backend('b', [url + '/base/']), backend('keep', [url], { hostHeader: 'preserve' })],
        [api('a', '/api', 'b', { maxRequestBodyBytes: 1000 }), api('p', '/keep', 'keep')],
      ),
    ));
  });
  after(async () => {
    await gw.close();
    await closeServer(server);
  });

  it('joins the target base path and forwards path and query byte for byte', async () => {
    const r = await call(port, '/api/a%20b/%7Euser;x=1?q=%2F%20&q=2&empty=&flag');
    assert.equal(json<Seen>(r).url, '/base/a%20b/%7Euser;x=1?q=%2F%20&q=2&empty=&flag');
    assert.equal(json<Seen>(await call(port, '/api')).url, '/base');
    assert.equal(json<Seen>(await call(port, '/api?x=1')).url, '/base?x=1');
  });

  for (const path of ['/api/../secret', '/api/%2e%2e/secret', '/api/%2E%2e/secret', '/api/a%2F..%2Fb', '/api/a%5c..', '/api/./x', '/api/x\\..\\y']) {
    it(`refuses traversal attempt ${path} with 400`, async () => {
      const res = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(res, /^HTTP\/1\.1 400 /);
      assert.match(res, /PORTICO_PATH_REJECTED/);
    });
  }

  it('removes hop-by-hop request headers, including those named by Connection', async () => {
    const res = await rawRequest(
      port,
      'GET /api/x HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, x-hop\r\nX-Hop: 1\r\nKeep-Alive: 1\r\nTE: trailers\r\n' +
        'Proxy-Authorization: x\r\nProxy-Connection: x\r\nTrailer: x\r\nUpgrade: h2c\r\nX-End: kept\r\n\r\n',
    );
    const h = (JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4)) as Seen).headers;
    for (const name of ['x-hop', 'keep-alive', 'te', 'proxy-authorization', 'proxy-connection', 'trailer', 'transfer-encoding', 'upgrade']) {
      assert.equal(h[name], undefined, name);
    }
    assert.equal(h['x-end'], 'kept');
  });

  it('removes hop-by-hop response headers, including those named by Connection', async () => {
    const r = await call(port, '/api/hop');
    assert.equal(r.headers['x-secret'], undefined);
    assert.equal(r.headers['keep-alive'] === 'timeout=5', false);
    assert.equal(r.headers['x-kept'], 'yes');
    assert.equal(r.body, 'ok');
  });

  it('appends to X-Forwarded-For and Forwarded and sets X-Forwarded-Proto/Host', async () => {
    const h = json<Seen>(
      await call(port, '/api/x', { headers: { host: 'gw.example.com', 'x-forwarded-for': '203.0.113.9', forwarded: 'for=203.0.113.9', 'x-forwarded-proto': 'https' } }),
    ).headers;
    assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-host'], 'gw.example.com');
    assert.equal(h.forwarded, 'for=203.0.113.9, for=127.0.0.1;host=gw.example.com;proto=http');
  });

  it('sends the target host or preserves the client host per backend setting', async () => {
    const backendHost = json<Seen>(await call(port, '/api/x', { headers: { host: 'gw.example.com' } })).headers.host;
    assert.match(backendHost!, /^127\.0\.0\.1:\d+$/);
    const preserved = json<Seen>(await call(port, '/keep/x', { headers: { host: 'gw.example.com' } })).headers.host;
    assert.equal(preserved, 'gw.example.com');
  });

  it('propagates a client X-Request-Id and generates one otherwise', async () => {
    const r = await call(port, '/api/x', { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(r.headers['x-request-id'], 'abc-123');
    assert.equal(json<Seen>(r).headers['x-request-id'], 'abc-123');
    const g = await call(port, '/api/x');
    assert.match(String(g.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(json<Seen>(g).headers['x-request-id'], g.headers['x-request-id']);
  });

  it('keeps several Set-Cookie headers apart', async () => {
    const r = await call(port, '/api/cookies');
    assert.deepEqual(r.headers['set-cookie'], ['a=1; Path=/', 'b=2, c=3; Path=/']);
  });

  it('answers HEAD, 204 and 304 without a body', async () => {
    const head = await rawRequest(port, 'HEAD /api/x HTTP/1.1\r\nHost: x\r\n\r\nGET /api/nocontent HTTP/1.1\r\nHost: x\r\n\r\nGET /api/notmodified HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const responses = head.split(/(?=HTTP\/1\.1 )/);
    assert.equal(responses.length, 3, head);
    assert.match(responses[0]!, /^HTTP\/1\.1 200 [\s\S]*content-length: \d+\r\n[\s\S]*\r\n\r\n$/i);
    assert.match(responses[1]!, /^HTTP\/1\.1 204 [\s\S]*\r\n\r\n$/);
    assert.match(responses[2]!, /^HTTP\/1\.1 304 [\s\S]*etag: "1"[\s\S]*\r\n\r\n$/i);
  });

  it('streams a large response without buffering it whole', async () => {
    const r = await call(port, '/api/big?n=160'); // 10 MiB
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 160 * 64 * 1024);
  });

  it('streams chunked request bodies to the backend', async () => {
    const r = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/api/size', agent: false }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.write('x'.repeat(400));
      setTimeout(() => req.end('y'.repeat(500)), 20);
    });
    assert.equal(r, '900');
  });

  it('refuses a body over the limit by Content-Length with 413 before reading it', async () => {
    const r = await call(port, '/api/size', { method: 'POST', body: 'x'.repeat(1001) });
    assert.equal(r.status, 413);
    assert.equal(json(r).code, 'PORTICO_BODY_TOO_LARGE');
  });

  it('refuses a chunked body that grows over the limit with 413', async () => {
    const res = await rawRequest(
      port,
      `POST /api/size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n${'x'.repeat(1000)}\r\n3e8\r\n${'x'.repeat(1000)}\r\n0\r\n\r\n`,
    );
    assert.match(res, /^HTTP\/1\.1 413 /);
    assert.match(res, /PORTICO_BODY_TOO_LARGE/);
  });

  it('answers Expect: 100-continue with 100 then forwards the body', async () => {
    const res = await rawRequest(port, 'POST /api/size HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n', 200);
    assert.match(res, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    const full = await new Promise<string>((resolve) => {
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/api/size', agent: false, headers: { expect: '100-continue', 'content-length': '5' } });
      req.on('continue', () => req.end('hello'));
      req.on('response', (r) => {
        let b = '';
        r.on('data', (c) => (b += c));
        r.on('end', () => resolve(b));
      });
    });
    assert.equal(full, '5');
  });

  it('answers Expect: 100-continue for an oversized body with 413 and no 100', async () => {
    const res = await rawRequest(port, 'POST /api/size HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n');
    assert.match(res, /^HTTP\/1\.1 413 /);
  });

  it('answers 431 problem+json to oversized request headers', async () => {
    const res = await rawRequest(port, `GET /api/x HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(res, /^HTTP\/1\.1 431 /);
    assert.match(res, /application\/problem\+json/);
    assert.match(res, /PORTICO_HEADERS_TOO_LARGE/);
  });

  it('accepts an absolute-form request target', async () => {
    const res = await rawRequest(port, 'GET http://gw.example.com/api/abs?x=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n');
    assert.match(res, /"url":"\/base\/abs\?x=1"/);
    assert.match(res, /"x-forwarded-host":"gw\.example\.com"/);
  });
});
