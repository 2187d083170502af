import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import type { Gateway } from '../../src/gateway/index.ts';
import { api, backend, call, closeServer, listen, rawRequest, snapshot, startGateway } from './helpers.ts';

describe('gateway robustness against malformed and abandoned traffic', () => {
  let server: Server;
  let gw: Gateway;
  let port: number;

  before(async () => {
    server = createServer((req, res) => {
      if (req.url!.startsWith('/slow')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const t = setInterval(() => res.write('x'.repeat(1024)), 5);
        res.on('close', () => clearInterval(t));
        return;
      }
      req.on('data', () => {});
      req.on('end', () => res.end('ok'));
    });
    const url = await listen(server);
    ({ gateway: gw, port } = await startGateway(snapshot(1, [backend('b', [url])], [api('a', '/a', 'b')]), 8 * 1024));
  });
  after(async () => {
    await gw.close();
    await closeServer(server);
  });

  async function stillServes(): Promise<void> {
    assert.equal((await call(port, '/a/ok')).body, 'ok');
  }

  const garbage: Array<[string, string | Buffer, RegExp]> = [
    ['binary noise', Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]), /^HTTP\/1\.1 400 [\s\S]*PORTICO_MALFORMED_REQUEST/],
    ['an invalid method token', 'G@T /a/x HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['a header without colon', 'GET /a/x HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['both Content-Length and Transfer-Encoding', 'POST /a/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['bad chunk sizes', 'POST /a/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['a huge request line', `GET /a/${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, /^HTTP\/1\.1 431 [\s\S]*PORTICO_HEADERS_TOO_LARGE/],
    ['many headers', `GET /a/x HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`, /^HTTP\/1\.1 431 /],
    ['an invalid Content-Length', 'POST /a/x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', /^HTTP\/1\.1 400 /],
  ];
  for (const [name, bytes, expected] of garbage) {
    it(`answers ${name} with a problem and keeps serving`, async () => {
      assert.match(await rawRequest(port, bytes), expected);
      await stillServes();
    });
  }

  it('survives an upload aborted halfway', async () => {
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write('POST /a/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(5000));
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 50);
      });
      s.on('error', () => {});
    });
    await stillServes();
  });

  it('survives a chunked upload aborted halfway', async () => {
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write('POST /a/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n');
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 50);
      });
      s.on('error', () => {});
    });
    await stillServes();
  });

  it('stops the upstream exchange when the client disconnects mid-response', async () => {
    let upstreamClosed = false;
    server.once('request', (_req, res) => res.once('close', () => (upstreamClosed = true)));
    await new Promise<void>((resolve) => {
      const req = httpRequest({ port, host: '127.0.0.1', path: '/a/slow', agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.end();
    });
    for (let i = 0; i < 50 && !upstreamClosed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(upstreamClosed, true);
    await stillServes();
  });

  it('survives a client that sends only part of the headers and leaves', async () => {
    await rawRequest(port, 'GET /a/x HTTP/1.1\r\nHost: x\r\nX-Partial: ', 50);
    await stillServes();
  });
});
