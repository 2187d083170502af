import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server } from 'node:http';
import { Pool } from 'undici';
import type { Gateway } from '../../src/gateway/index.ts';
import { api, backend, call, closeServer, listen, snapshot, startGateway } from './helpers.ts';

describe('gateway snapshot swaps', () => {
  let server: Server;
  let url: string;
  let gw: Gateway;
  let port: number;

  before(async () => {
    server = createServer((req, res) => {
      const delay = req.url!.includes('slow') ? 300 : 0;
      setTimeout(() => res.end('ok'), delay);
    });
    url = await listen(server);
    ({ gateway: gw, port } = await startGateway(snapshot(1, [backend('b', [url])], [api('a', '/a', 'b')])));
  });
  after(async () => {
    await gw.close();
    await closeServer(server);
  });

  function variant(revision: number) {
    // Each revision differs: extra APIs, another balancing mode, a second target, other timeouts.
    const b = backend('b', revision % 2 === 0 ? [url, url + '/'] : [url], {
      balancing: revision % 3 === 0 ? 'weighted' : 'round-robin',
      readTimeoutMs: 2000 + revision,
    });
    const apis = [api('a', '/a', 'b')];
    for (let i = 0; i < revision % 7; i++) apis.push(api(`x${i}`, `/extra${revision}-${i}`, 'b', { operations: [{ id: 'o', method: 'GET', path: '/{id}' }] }));
    return snapshot(revision, [b], apis);
  }

  it('applies 50 snapshots under load without failing a single request', async () => {
    const client = new Pool(`http://127.0.0.1:${port}`, { connections: 20 });
    let failed = 0;
    let ok = 0;
    let next = 0;
    const total = 2000;
    const worker = async (): Promise<void> => {
      while (next < total) {
        next++;
        try {
          const r = await client.request({ path: '/a/x', method: 'GET' });
          const body = await r.body.text();
          if (r.statusCode === 200 && body === 'ok') ok++;
          else failed++;
        } catch {
          failed++;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 20 }, worker));
    for (let rev = 2; rev <= 51; rev++) {
      gw.apply(variant(rev));
      await new Promise((r) => setTimeout(r, 15));
    }
    await load;
    await client.close();
    assert.equal(gw.revision, 51);
    assert.equal(failed, 0);
    assert.equal(ok, total);
  });

  it('lets a request in flight finish on the runtime it started with', async () => {
    gw.apply(snapshot(100, [backend('b', [url])], [api('a', '/a', 'b')]));
    const inFlight = call(port, '/a/slow');
    await new Promise((r) => setTimeout(r, 50));
    gw.apply(snapshot(101, [backend('c', [url + '/elsewhere'])], [api('z', '/z', 'c')]));
    const r = await inFlight;
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
    assert.equal((await call(port, '/a/x')).status, 404);
  });

  it('drains in-flight requests on close', async () => {
    const g = await startGateway(snapshot(1, [backend('b', [url])], [api('a', '/a', 'b')]));
    const inFlight = call(g.port, '/a/slow');
    await new Promise((r) => setTimeout(r, 50));
    await g.gateway.close();
    const r = await inFlight;
    assert.equal(r.body, 'ok');
    await assert.rejects(call(g.port, '/a/x'), /ECONNREFUSED/);
  });
});
