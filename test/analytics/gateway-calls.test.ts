import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGatewayNode, type RunningGateway } from '../../src/cli/gateway-node.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';
import { seedCatalog } from '../helpers/fixtures.ts';
import { DIALECTS } from '../helpers/stores.ts';

/** One call on a fresh connection; resolves with the status and the bytes the client received. */
function call(port: number, method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<{ status: number; wireBytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, wireBytes: res.socket.bytesRead }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (const dialect of DIALECTS) {
  describe(`every call through the gateway is counted on ${dialect}`, () => {
    let p: TestPortico;
    let gw: RunningGateway;
    let dir: string;
    let key: string;
    let appId: string;
    let apiId: string;
    const received: number[] = [];
    /** 4xx calls and their bytes during the warm-up (a contract can reach the gateway after its API). */
    let warm4xx = { calls: 0, bytesOut: 0 };

    before(async () => {
      p = await startTestPortico(dialect);
      dir = mkdtempSync(join(tmpdir(), 'portico-gw-'));
      gw = await startGatewayNode({ host: '127.0.0.1', port: 0, workers: 1, controlPlaneUrl: p.url, token: p.cp.gatewayToken, dataDir: dir, logger: createLogger('silent') });
      const seeded = await seedCatalog(p.admin, 'counted', '/counted');
      await p.admin.patch(`/organizations/counted/backends/${seeded.backend.id}`, { targets: [{ url: `${p.url}/echo-service` }] });
      await p.admin.patch(`/organizations/counted/apis/${seeded.api.id}`, { operations: [] });
      assert.equal((await p.admin.post('/organizations/counted/contracts', { applicationId: seeded.app.id, productId: seeded.product.id, planId: seeded.plan.id })).status, 201);
      key = (await p.admin.get(`/organizations/counted/applications/${seeded.app.id}/keys`)).body.primary;
      appId = seeded.app.id;
      apiId = seeded.api.id;
      // Wait until the gateway serves the configuration.
      for (let i = 0; i < 50 && (await call(gw.port, 'GET', '/counted/x', { 'x-api-key': key })).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
      await gw.close(); // flushes the warm-up calls' records
      gw = await startGatewayNode({ host: '127.0.0.1', port: 0, workers: 1, controlPlaneUrl: p.url, token: p.cp.gatewayToken, dataDir: dir, logger: createLogger('silent') });
      const baseline = await p.admin.get('/organizations/counted/analytics/timeseries?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&granularity=day&statusClass=4xx');
      assert.equal(baseline.status, 200);
      warm4xx = { calls: baseline.body.total.calls, bytesOut: baseline.body.total.bytesOut };
      for (let i = 0; i < 4; i++) received.push((await call(gw.port, 'GET', `/counted/ok/${i}`, { 'x-api-key': key })).wireBytes);
      for (let i = 0; i < 3; i++) received.push((await call(gw.port, 'POST', '/counted/upload', { 'x-api-key': key, 'content-type': 'text/plain' }, 'x'.repeat(100))).wireBytes);
      for (let i = 0; i < 2; i++) received.push((await call(gw.port, 'GET', '/counted/nokey')).wireBytes);
      received.push((await call(gw.port, 'GET', '/counted/bad', { 'x-api-key': 'pk_wrong' })).wireBytes);
      await gw.close();
    });

    after(async () => {
      await p?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('reports exactly the calls, statuses and request bytes sent', async () => {
      // The warm-up calls are in the figures too: count them from the first window and subtract.
      const top = await p.admin.get('/organizations/counted/analytics/top?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&granularity=day&by=statusClass');
      const byClass = Object.fromEntries(top.body.items.map((x: any) => [x.key, x.calls]));
      const warmups = byClass['2xx'] - 7;
      assert.ok(warmups >= 1, `the warm-up call(s) are counted too: ${JSON.stringify(byClass)}`);
      assert.equal(byClass['4xx'] - warm4xx.calls, 3);
      const apps = await p.admin.get(`/organizations/counted/analytics/timeseries?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&granularity=day&application=${appId}&api=${apiId}`);
      assert.equal(apps.body.total.calls, 7 + warmups);
      assert.equal(apps.body.total.bytesIn, 300);
      assert.equal(apps.body.total.errors, 0);
    });

    it('counts the response bytes the clients received', async () => {
      const all = await p.admin.get('/organizations/counted/analytics/timeseries?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&granularity=day');
      const sent = received.reduce((a, b) => a + b, 0);
      // The figure also holds the warm-up calls; it can be larger, never smaller.
      assert.ok(all.body.total.bytesOut >= sent, `${all.body.total.bytesOut} ≥ ${sent}`);
      const denials = await p.admin.get('/organizations/counted/analytics/timeseries?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&granularity=day&statusClass=4xx');
      assert.equal(denials.body.total.bytesOut - warm4xx.bytesOut, received.slice(7).reduce((a, b) => a + b, 0));
    });
  });
}
