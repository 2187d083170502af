import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGatewayNode, type RunningGateway } from '../../src/cli/gateway-node.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';
import { DIALECTS } from '../helpers/stores.ts';

/** Polls `probe` until it returns true; resolves with the elapsed milliseconds. */
async function until(probe: () => Promise<boolean>, limitMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if (await probe()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not within ${limitMs} ms`);
}

for (const dialect of DIALECTS) {
  describe(`management changes reach a gateway node on ${dialect}`, () => {
    let p: TestPortico;
    let gw: RunningGateway;
    let gwDir: string;
    let gateway: string;
    let apiId: string;

    before(async () => {
      p = await startTestPortico(dialect);
      gwDir = mkdtempSync(join(tmpdir(), 'portico-gw-'));
      gw = await startGatewayNode({ host: '127.0.0.1', port: 0, workers: 1, controlPlaneUrl: p.url, token: p.cp.gatewayToken, dataDir: gwDir, logger: createLogger('silent') });
      gateway = `http://127.0.0.1:${gw.port}`;
      await p.admin.post('/organizations', { id: 'prop', name: 'Propagation' });
      const backend = await p.admin.post('/organizations/prop/backends', { name: 'echo', targets: [{ url: `${p.url}/echo-service` }] });
      const api = await p.admin.post('/organizations/prop/apis', { name: 'Public echo', basePath: '/first', backendId: backend.body.id, visibility: 'public' });
      assert.equal(api.status, 201, JSON.stringify(api.body));
      apiId = api.body.id;
    });

    after(async () => {
      await gw?.close();
      await p?.close();
      rmSync(gwDir, { recursive: true, force: true });
    });

    it('serves a new API within one second of its creation', async () => {
      const ms = await until(async () => (await fetch(`${gateway}/first/ping`)).status === 200, 1000);
      assert.ok(ms < 1000);
    });

    it('moves an API to a new base path within one second, and the old path answers 404', async () => {
      const current = await p.admin.get(`/organizations/prop/apis/${apiId}`);
      const moved = await p.admin.patch(`/organizations/prop/apis/${apiId}`, { basePath: '/second' }, { 'if-match': current.headers.get('etag')! });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      await until(async () => (await fetch(`${gateway}/second/ping`)).status === 200, 1000);
      const old = await fetch(`${gateway}/first/ping`);
      assert.equal(old.status, 404);
      assert.equal(((await old.json()) as { code: string }).code, 'PORTICO_ROUTE_NOT_FOUND');
    });

    it('stops serving a retired API within one second', async () => {
      const retired = await p.admin.patch(`/organizations/prop/apis/${apiId}`, { lifecycle: 'retired' });
      assert.equal(retired.status, 200);
      await until(async () => (await fetch(`${gateway}/second/ping`)).status === 404, 1000);
    });
  });
}
