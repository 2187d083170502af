import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGatewayNode, type RunningGateway } from '../../src/cli/gateway-node.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';
import { seedCatalog } from '../helpers/fixtures.ts';

/** Decodes the Portico-Trace header. */
function traceOf(res: Response): { requestId: string; policies: { policy: string; type: string; scope: string; phase: string; decision: string; ms: number }[] } | null {
  const h = res.headers.get('portico-trace');
  return h === null ? null : JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
}

describe('effective policy chain and admin trace', () => {
  let p: TestPortico;
  let gw: RunningGateway;
  let dir: string;
  let key: string;
  let seeded: Awaited<ReturnType<typeof seedCatalog>>;
  const gatewayUrl = () => `http://127.0.0.1:${gw.port}`;

  before(async () => {
    p = await startTestPortico('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'portico-trace-'));
    gw = await startGatewayNode({ host: '127.0.0.1', port: 0, workers: 1, controlPlaneUrl: p.url, token: p.cp.gatewayToken, dataDir: dir, logger: createLogger('silent') });
    seeded = await seedCatalog(p.admin, 'traced', '/traced');
    await p.admin.patch(`/organizations/traced/backends/${seeded.backend.id}`, { targets: [{ url: `${p.url}/echo-service` }] });
    await p.admin.post('/organizations/traced/contracts', { applicationId: seeded.app.id, productId: seeded.product.id, planId: seeded.plan.id });
    key = (await p.admin.get(`/organizations/traced/applications/${seeded.app.id}/keys`)).body.primary;
    const op = seeded.api.operations[0].id;
    const policies = [
      { scope: { type: 'api', id: seeded.api.id }, type: 'set-header', config: { name: 'X-Api', value: 'a' } },
      { scope: { type: 'global' }, type: 'set-header', config: { name: 'X-Global', value: 'g' } },
      { scope: { type: 'operation', id: op }, type: 'set-header', config: { name: 'X-Op', value: 'o', phase: 'response' } },
      { scope: { type: 'product', id: seeded.product.id }, type: 'set-variable', config: { name: 'p', value: '"product"' } },
      { scope: { type: 'application', id: seeded.app.id }, type: 'set-header', config: { name: 'X-App', value: '{{vars.p}}' } },
    ];
    for (const body of policies) assert.equal((await p.admin.post('/organizations/traced/policies', body)).status, 201);
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${gatewayUrl()}/traced/orders/1`, { headers: { 'x-api-key': key } });
      await r.arrayBuffer();
      if (r.status === 200 && r.headers.get('x-op') === 'o') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  after(async () => {
    await gw?.close();
    await p?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the chain in scope order with the condition of each entry', async () => {
    const chain = await p.admin.get(`/organizations/traced/apis/${seeded.api.id}/policy-chain`);
    assert.equal(chain.status, 200);
    assert.deepEqual(
      chain.body.items.map((e: { scope: string; type: string }) => `${e.scope}:${e.type}`),
      ['global:set-header', 'product:set-variable', 'api:set-header', 'operation:set-header', 'application:set-header'],
    );
    assert.match(chain.body.items[1].appliesTo, /product Gold/);
    assert.match(chain.body.items[3].appliesTo, /operation GET \/orders\/\{id\}/);
  });

  it('returns a trace of every policy to a caller with a trace token, and none without', async () => {
    const publisher = await p.serviceClient('traced', 'publisher');
    const issued = await publisher.post('/organizations/traced/trace-tokens', { ttlSeconds: 60 });
    assert.equal(issued.status, 201);
    const res = await fetch(`${gatewayUrl()}/traced/orders/1`, { headers: { 'x-api-key': key, 'portico-trace-token': issued.body.token } });
    const echoed = (await res.json()) as { headers: Record<string, string> };
    assert.equal(echoed.headers['x-app'], 'product');
    assert.equal(echoed.headers['portico-trace-token'], undefined, 'the token never reaches the backend');
    const trace = traceOf(res);
    assert.ok(trace);
    assert.deepEqual(
      trace.policies.map((e) => `${e.phase}:${e.scope}:${e.type}:${e.decision}`),
      ['request:global:set-header:continue', 'request:product:set-variable:continue', 'request:api:set-header:continue', 'request:application:set-header:continue', 'response:operation:set-header:continue'],
    );
    assert.ok(trace.policies.every((e) => e.ms >= 0));

    const plain = await fetch(`${gatewayUrl()}/traced/orders/1`, { headers: { 'x-api-key': key } });
    await plain.arrayBuffer();
    assert.equal(plain.headers.get('portico-trace'), null);
    const forged = await fetch(`${gatewayUrl()}/traced/orders/1`, { headers: { 'x-api-key': key, 'portico-trace-token': 'not-a-token' } });
    await forged.arrayBuffer();
    assert.equal(forged.status, 200);
    assert.equal(forged.headers.get('portico-trace'), null);
  });

  it("does not trace another organization's calls, and developers cannot get trace tokens", async () => {
    await seedCatalog(p.admin, 'other-org', '/other-org');
    const otherToken = (await p.admin.post('/organizations/other-org/trace-tokens', {})).body.token;
    const res = await fetch(`${gatewayUrl()}/traced/orders/1`, { headers: { 'x-api-key': key, 'portico-trace-token': otherToken } });
    await res.arrayBuffer();
    assert.equal(res.headers.get('portico-trace'), null);
    const developer = await p.serviceClient('traced', 'developer');
    assert.equal((await developer.post('/organizations/traced/trace-tokens', {})).status, 403);
  });

  it('publishes every policy type with its schema, phases and documentation', async () => {
    const types = await p.admin.get('/policy-types');
    const byName = new Map(types.body.items.map((t: { name: string }) => [t.name, t]));
    for (const name of ['set-header', 'choose', 'return-response', 'set-body']) {
      const t = byName.get(name) as { doc: string; phases: string[]; schema: { type: string } };
      assert.ok(t, name);
      assert.match(t.doc, new RegExp(`# ${name}`));
      assert.ok(t.phases.length > 0);
      assert.equal(t.schema.type, 'object');
    }
  });
});
