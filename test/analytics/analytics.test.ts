import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallRecord } from '../../src/domain/analytics.ts';
import { ingestBatch, purgeRecords } from '../../src/services/analytics.ts';
import { signedInMember, startTestPortico, type Client, type TestPortico } from '../helpers/control-plane.ts';
import { callRecord } from '../helpers/records.ts';
import { DIALECTS } from '../helpers/stores.ts';

const T0 = '2026-11-20T10:00:00.000Z';

async function developerWithApp(p: TestPortico, email: string): Promise<{ client: Client; appId: string }> {
  const { client } = await signedInMember(p, 'stats', email);
  const app = await client.post('/organizations/stats/applications', { name: `${email} app` });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  return { client, appId: app.body.id };
}

const record = (over: Partial<CallRecord>) => callRecord('stats', { productId: 'prd_1', ...over });

for (const dialect of DIALECTS) {
  describe(`analytics on ${dialect}`, () => {
    let p: TestPortico;
    let alice: { client: Client; appId: string };
    let bob: { client: Client; appId: string };
    const range = `from=2026-11-20T00:00:00.000Z&to=2026-11-21T00:00:00.000Z`;

    before(async () => {
      p = await startTestPortico(dialect);
      assert.equal((await p.admin.post('/organizations', { id: 'stats', name: 'Stats' })).status, 201);
      alice = await developerWithApp(p, `alice-${dialect}@example.com`);
      bob = await developerWithApp(p, `bob-${dialect}@example.com`);
      const store = p.cp.services.store;
      const records: CallRecord[] = [];
      // Alice: 6 calls on api_a in two minutes (one 404, one 502), latencies 1..6 ms, 100 bytes out each.
      for (let i = 1; i <= 6; i++) {
        records.push(record({ applicationId: alice.appId, at: i <= 3 ? T0 : '2026-11-20T10:01:30.000Z', status: i === 5 ? 404 : i === 6 ? 502 : 200, gatewayLatencyMs: i, bytesIn: 10 }));
      }
      // Bob: 3 calls on api_b.
      for (let i = 0; i < 3; i++) records.push(record({ applicationId: bob.appId, apiId: 'api_b', gatewayLatencyMs: 100, bytesOut: 1000 }));
      const first = await ingestBatch(store, { batchId: 'batch-0001', gateway: 'gw-1', records }, new Date());
      assert.deepEqual(first, { accepted: 9, duplicate: false });
    });
    after(async () => p.close());

    it('counts a batch sent twice once', async () => {
      const again = await ingestBatch(p.cp.services.store, { batchId: 'batch-0001', gateway: 'gw-1', records: [record({})] }, new Date());
      assert.deepEqual(again, { accepted: 0, duplicate: true });
      const total = await p.admin.get(`/organizations/stats/analytics/timeseries?${range}&granularity=day`);
      assert.equal(total.status, 200, JSON.stringify(total.body));
      assert.equal(total.body.total.calls, 9);
    });

    it('reports exactly the calls, errors and bytes sent, per minute', async () => {
      const res = await p.admin.get(`/organizations/stats/analytics/timeseries?${range}&granularity=minute&api=api_a`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.points.map((x: any) => [x.bucket, x.calls, x.errors, x.bytesIn, x.bytesOut]),
        [
          ['2026-11-20T10:00:00.000Z', 3, 0, 30, 300],
          ['2026-11-20T10:01:00.000Z', 3, 2, 30, 300],
        ],
      );
    });

    it('merges latency sketches across buckets into percentiles within 1%', async () => {
      const res = await p.admin.get(`/organizations/stats/analytics/timeseries?${range}&granularity=hour&api=api_a`);
      const { p50, p99 } = res.body.total.latencyMs;
      // Six latencies 1..6 ms over two minutes: ranks ⌊0.5·5⌋ = 2 → 3 ms and ⌊0.99·5⌋ = 4 → 5 ms.
      assert.ok(Math.abs(p50 - 3) <= 0.03, `p50 ${p50}`);
      assert.ok(Math.abs(p99 - 5) <= 0.05, `p99 ${p99}`);
    });

    it('ranks APIs and status classes by calls', async () => {
      const apis = await p.admin.get(`/organizations/stats/analytics/top?${range}&by=api`);
      assert.deepEqual(apis.body.items.map((x: any) => [x.key, x.calls]), [['api_a', 6], ['api_b', 3]]);
      const classes = await p.admin.get(`/organizations/stats/analytics/top?${range}&by=statusClass`);
      assert.deepEqual(classes.body.items.map((x: any) => [x.key, x.calls]), [['2xx', 7], ['4xx', 1], ['5xx', 1]]);
    });

    it('shows a developer only the figures of their own applications', async () => {
      const mine = await alice.client.get(`/organizations/stats/analytics/timeseries?${range}&granularity=day`);
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.equal(mine.body.total.calls, 6);
      const top = await bob.client.get(`/organizations/stats/analytics/top?${range}&by=application`);
      assert.deepEqual(top.body.items.map((x: any) => x.key), [bob.appId]);
      const peek = await bob.client.get(`/organizations/stats/analytics/timeseries?${range}&application=${alice.appId}`);
      assert.equal(peek.status, 404);
    });

    it('refuses a reversed range and an unknown dimension with 422', async () => {
      const reversed = await p.admin.get('/organizations/stats/analytics/timeseries?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z');
      assert.equal(reversed.status, 422);
      const unknown = await p.admin.get(`/organizations/stats/analytics/top?${range}&by=colour`);
      assert.equal(unknown.status, 422);
    });

    it('purges raw records past retention and keeps the roll-ups', async () => {
      const purged = await purgeRecords(p.cp.services.store, 1, new Date('2026-11-25T00:00:00Z'));
      assert.equal(purged, 9);
      const res = await p.admin.get(`/organizations/stats/analytics/timeseries?${range}&granularity=day`);
      assert.equal(res.body.total.calls, 9);
    });
  });
}
