import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../../src/gateway/index.ts';
import { api, backend, call, closeServer, echoBackend, json, listen, snapshot, startGateway } from './helpers.ts';

/** A backend that names itself in the body; `fail` makes it answer 503. */
function named(name: string, state: { fail: boolean; hits: number } = { fail: false, hits: 0 }): Server {
  return createServer((req, res) => {
    state.hits++;
    req.resume();
    res.writeHead(state.fail ? 503 : 200, { 'content-type': 'text/plain' });
    res.end(name);
  });
}

async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('gateway backends', () => {
  const servers: Server[] = [];
  const gateways: Gateway[] = [];
  async function up(s: Server): Promise<string> {
    servers.push(s);
    return listen(s);
  }
  async function gw(...args: Parameters<typeof snapshot>): Promise<number> {
    const g = await startGateway(snapshot(...args));
    gateways.push(g.gateway);
    return g.port;
  }
  after(async () => {
    for (const g of gateways) await g.close();
    for (const s of servers) await closeServer(s);
  });

  it('answers 502 PORTICO_UPSTREAM_UNAVAILABLE when the backend refuses connections', async () => {
    const port = await gw(1, [backend('b', [await closedPortUrl()])], [api('a', '/a', 'b')]);
    const t = Date.now();
    const r = await call(port, '/a/x');
    assert.equal(r.status, 502);
    assert.equal(json(r).code, 'PORTICO_UPSTREAM_UNAVAILABLE');
    assert.ok(Date.now() - t < 1000);
  });

  it('answers 504 PORTICO_UPSTREAM_TIMEOUT when the backend does not answer within readTimeoutMs', async () => {
    const silent = createServer(() => {});
    const url = await up(silent);
    const port = await gw(1, [backend('b', [url], { readTimeoutMs: 150 })], [api('a', '/a', 'b')]);
    const t = Date.now();
    const r = await call(port, '/a/x');
    assert.equal(r.status, 504);
    assert.equal(json(r).code, 'PORTICO_UPSTREAM_TIMEOUT');
    // undici's timers tick every ~0.5 s, so the bound is loose; the point is that it never hangs.
    assert.ok(Date.now() - t < 2500);
  });

  it('cuts the response when the backend stalls between body chunks', async () => {
    const stall = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
    });
    const url = await up(stall);
    const port = await gw(1, [backend('b', [url], { readTimeoutMs: 150 })], [api('a', '/a', 'b')]);
    await assert.rejects(call(port, '/a/x'), /aborted|socket hang up|ECONNRESET/);
  });

  it('spreads requests round-robin over targets', async () => {
    const urls = [await up(named('one')), await up(named('two')), await up(named('three'))];
    const port = await gw(1, [backend('b', urls)], [api('a', '/a', 'b')]);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await call(port, '/a')).body);
    assert.deepEqual(seen.slice(0, 3).sort(), ['one', 'three', 'two']);
    assert.deepEqual(seen.slice(3), seen.slice(0, 3));
  });

  it('spreads requests by weight', async () => {
    const heavy = await up(named('heavy'));
    const light = await up(named('light'));
    const b = backend('b', [heavy, light], { balancing: 'weighted' });
    b.targets[0]!.weight = 3;
    const port = await gw(1, [b], [api('a', '/a', 'b')]);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const name = (await call(port, '/a')).body;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    assert.deepEqual(counts, { heavy: 30, light: 10 });
  });

  it('opens the circuit of a failing target and sends traffic to the healthy one', async () => {
    const badState = { fail: true, hits: 0 };
    const bad = await up(named('bad', badState));
    const good = await up(named('good'));
    const port = await gw(1, [backend('b', [bad, good], { circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } })], [api('a', '/a', 'b')]);
    for (let i = 0; i < 10; i++) await call(port, '/a');
    assert.equal(badState.hits, 2);
    assert.equal((await call(port, '/a')).body, 'good');
  });

  it('answers 503 PORTICO_CIRCUIT_OPEN when every target is open, and closes again after the cooldown', async () => {
    const state = { fail: true, hits: 0 };
    const url = await up(named('only', state));
    const port = await gw(1, [backend('b', [url], { circuitBreaker: { failureThreshold: 1, cooldownMs: 200 } })], [api('a', '/a', 'b')]);
    assert.equal((await call(port, '/a')).status, 503); // the backend's own 503
    const r = await call(port, '/a');
    assert.equal(json(r).code, 'PORTICO_CIRCUIT_OPEN');
    assert.equal(state.hits, 1);
    state.fail = false;
    await new Promise((res) => setTimeout(res, 250));
    assert.equal((await call(port, '/a')).body, 'only'); // half-open trial succeeds
    assert.equal((await call(port, '/a')).body, 'only');
  });

  it('retries an idempotent request on the next target when the connection is refused', async () => {
    const good = await up(named('good'));
    const port = await gw(1, [backend('b', [await closedPortUrl(), good], { retries: 1 })], [api('a', '/a', 'b')]);
    for (let i = 0; i < 4; i++) assert.equal((await call(port, '/a')).body, 'good');
  });

  it('never retries a request with a body', async () => {
    const state = { fail: false, hits: 0 };
    const good = await up(named('good', state));
    const port = await gw(1, [backend('b', [await closedPortUrl(), good], { retries: 3 })], [api('a', '/a', 'b')]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(port, '/a', { method: 'POST', body: 'x' })).status);
    assert.deepEqual(statuses.sort(), [200, 200, 502, 502]);
  });

  it('never retries a non-idempotent method even without a body', async () => {
    const good = await up(named('good'));
    const port = await gw(1, [backend('b', [await closedPortUrl(), good], { retries: 3 })], [api('a', '/a', 'b')]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(port, '/a', { method: 'PATCH' })).status);
    assert.deepEqual(statuses.sort(), [200, 200, 502, 502]);
  });

  it('does not retry when retries is 0', async () => {
    const good = await up(named('good'));
    const port = await gw(1, [backend('b', [await closedPortUrl(), good])], [api('a', '/a', 'b')]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(port, '/a')).status);
    assert.deepEqual(statuses.sort(), [200, 200, 502, 502]);
  });

  it('keeps connections to the backend alive across requests', async () => {
    const sockets = new Set<unknown>();
    const s = echoBackend((req) => {
      sockets.add(req.socket);
      return false;
    });
    const port = await gw(1, [backend('b', [await up(s)])], [api('a', '/a', 'b')]);
    for (let i = 0; i < 5; i++) await call(port, '/a');
    assert.equal(sockets.size, 1);
  });
});
