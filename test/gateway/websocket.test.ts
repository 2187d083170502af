import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { Gateway } from '../../src/gateway/index.ts';
import { api, backend, rawRequest, snapshot, startGateway } from './helpers.ts';

describe('gateway WebSocket pass-through', () => {
  let server: Server;
  let wss: WebSocketServer;
  let gw: Gateway;
  let port: number;
  let lastUrl = '';
  let lastForwardedFor = '';

  before(async () => {
    server = createServer();
    wss = new WebSocketServer({ server });
    wss.on('connection', (ws, req) => {
      lastUrl = req.url!;
      lastForwardedFor = String(req.headers['x-forwarded-for']);
      ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `echo:${data.toString()}`, { binary: isBinary }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    ({ gateway: gw, port } = await startGateway(snapshot(1, [backend('b', [url])], [api('a', '/live', 'b')])));
  });
  after(async () => {
    await gw.close();
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('upgrades through the gateway and relays frames both ways', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live/room?id=7`, { headers: { 'x-forwarded-for': '198.51.100.1' } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('hello');
    assert.equal(await reply, 'echo:hello');
    const big = Buffer.alloc(300_000, 7);
    const bin = new Promise<Buffer>((resolve) => ws.once('message', (d) => resolve(d as Buffer)));
    ws.send(big);
    assert.deepEqual(await bin, big);
    assert.equal(lastUrl, '/ws/room?id=7');
    assert.equal(lastForwardedFor, '198.51.100.1, 127.0.0.1');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    await closed;
  });

  it('answers an upgrade on an unknown route with a 404 problem', async () => {
    const res = await rawRequest(
      port,
      'GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    assert.match(res, /^HTTP\/1\.1 404 /);
    assert.match(res, /PORTICO_ROUTE_NOT_FOUND/);
  });
});
