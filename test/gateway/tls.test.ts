import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { Gateway } from '../../src/gateway/index.ts';
import type { SnapshotTls } from '../../src/snapshot/types.ts';
import { api, backend, call, json, snapshot, startGateway } from './helpers.ts';

/** A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makePki(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Portico Test CA');
  for (const [name, cn] of [['server', '127.0.0.1'], ['client', 'gateway']] as const) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(join(dir, `${name}.ext`), name === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  }
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), clientCert: read('client.crt'), clientKey: read('client.key') };
}

describe('gateway TLS to backends', () => {
  let dir: string;
  let pki: ReturnType<typeof makePki>;
  let server: Server;
  let target: string;
  const gateways: Gateway[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portico-tls-'));
    pki = makePki(dir);
    server = createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(JSON.stringify({ client: peer.subject?.CN ?? null, url: req.url }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    target = `https://127.0.0.1:${(server.address() as AddressInfo).port}/secure`;
  });
  after(async () => {
    for (const g of gateways) await g.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function gw(tls: SnapshotTls): Promise<number> {
    const g = await startGateway(snapshot(1, [backend('b', [target], { tls })], [api('a', '/a', 'b')]));
    gateways.push(g.gateway);
    return g.port;
  }

  it('presents the client certificate and trusts the custom CA', async () => {
    const port = await gw({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, rejectUnauthorized: true });
    const r = await call(port, '/a/x?y=1');
    assert.equal(r.status, 200);
    assert.deepEqual(json(r), { client: 'gateway', url: '/secure/x?y=1' });
  });

  it('fails with 502 when the backend certificate is not signed by the configured CA', async () => {
    const port = await gw({ ca: null, cert: pki.clientCert, key: pki.clientKey, rejectUnauthorized: true });
    const r = await call(port, '/a/x');
    assert.equal(r.status, 502);
    assert.equal(json(r).code, 'PORTICO_UPSTREAM_UNAVAILABLE');
  });

  it('fails with 502 when the backend requires a client certificate and none is configured', async () => {
    const port = await gw({ ca: pki.ca, cert: null, key: null, rejectUnauthorized: true });
    const r = await call(port, '/a/x');
    assert.equal(r.status, 502);
  });
});
