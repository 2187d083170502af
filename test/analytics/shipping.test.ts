import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Value } from 'typebox/value';
import { CallRecord as CallRecordSchema, MAX_BATCH_RECORDS, type CallRecord } from '../../src/domain/analytics.ts';
import { CallColumns as CallColumnsSchema, recordsFromColumns, type CallColumns } from '../../src/domain/call-columns.ts';
import { AnalyticsShipper } from '../../src/gateway/analytics/shipper.ts';
import { RecordBuffer } from '../../src/gateway/analytics/buffer.ts';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';
import { callRecord } from '../helpers/records.ts';

const call = (i: number): CallRecord => callRecord('ship', { requestId: `r${i}`, apiId: 'api_ship', gatewayLatencyMs: 2, backendLatencyMs: 1, bytesOut: 10 });

describe('shipping call records to the control plane', () => {
  let p: TestPortico;
  const range = 'from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&granularity=day';
  const calls = async () => (await p.admin.get(`/organizations/ship/analytics/timeseries?${range}`)).body.total.calls as number;

  before(async () => {
    p = await startTestPortico('sqlite');
    await p.admin.post('/organizations', { id: 'ship', name: 'Ship' });
  });
  after(async () => p.close());

  it('delivers every recorded call once', async () => {
    const shipper = new AnalyticsShipper({ controlPlaneUrl: p.url, token: p.cp.gatewayToken, gateway: 'gw-test', flushMs: 60_000 });
    for (let i = 0; i < 1200; i++) shipper.record(call(i));
    await shipper.close();
    assert.deepEqual(shipper.stats, { recorded: 1200, dropped: 0, shipped: 1200, lost: 0 });
    assert.equal(await calls(), 1200);
  });

  it('splits more records than one batch may carry into several batches, every call counted once', async () => {
    const shipper = new AnalyticsShipper({ controlPlaneUrl: p.url, token: p.cp.gatewayToken, gateway: 'gw-split', flushMs: 60_000 });
    const before = await calls();
    const n = MAX_BATCH_RECORDS + 2_500;
    for (let i = 0; i < n; i++) shipper.record(call(100_000 + i));
    await shipper.close();
    assert.deepEqual(shipper.stats, { recorded: n, dropped: 0, shipped: n, lost: 0 });
    assert.equal((await calls()) - before, n);
  });

  it('keeps a batch while the control plane answers 503 and counts it once when it is back', async () => {
    let down = true;
    let seenBatchIds: string[] = [];
    // A front that fails while "down", then forwards to the real control plane.
    const front: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString();
      seenBatchIds.push((JSON.parse(body) as { batchId: string }).batchId);
      if (down) {
        res.writeHead(503).end();
        return;
      }
      const upstream = await fetch(`${p.url}${req.url}`, { method: 'POST', headers: { authorization: req.headers.authorization!, 'content-type': 'application/json' }, body });
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const port = (front.address() as { port: number }).port;
    try {
      const before = await calls();
      const shipper = new AnalyticsShipper({ controlPlaneUrl: `http://127.0.0.1:${port}`, token: p.cp.gatewayToken, gateway: 'gw-retry', flushMs: 60_000 });
      for (let i = 0; i < 10; i++) shipper.record(call(i));
      await shipper.flush();
      await shipper.flush();
      assert.equal(shipper.stats.shipped, 0);
      down = false;
      await shipper.close();
      assert.equal(shipper.stats.shipped, 10);
      assert.equal(new Set(seenBatchIds).size, 1, 'every attempt carried the same batch id');
      assert.equal((await calls()) - before, 10);
      seenBatchIds = [];
    } finally {
      front.close();
    }
  });

  it('drops and counts records beyond the buffer capacity instead of blocking', () => {
    const buffer = new RecordBuffer(100);
    for (let i = 0; i < 150; i++) buffer.pushRecord(call(i));
    assert.deepEqual(buffer.stats, { recorded: 100, dropped: 50 });
    assert.deepEqual(buffer.drain(MAX_BATCH_RECORDS).map((b) => b.count), [100]);
    buffer.pushRecord(call(0));
    assert.equal(buffer.size, 1);
  });

  it('drains exactly the records it was given, as valid CallColumns JSON, in batches of the size asked', () => {
    const buffer = new RecordBuffer(10);
    const records: CallRecord[] = [
      call(1),
      { ...call(2), at: '2026-11-20T10:00:00.007Z', operationId: 'op_1', productId: 'p', planId: 'gold', applicationId: 'app', userId: 'u', errorCode: 'PORTICO_RATE_LIMITED', status: 429, cacheHit: true, backendLatencyMs: null, gatewayLatencyMs: 0.125 },
      { ...call(3), requestId: 'quote " and \\ backslash', at: '2026-11-20T10:00:00.070Z', method: 'POST', bytesIn: 12_345, gatewayLatencyMs: 12.3, backendLatencyMs: 0.004 },
      { ...call(4), organizationId: 'org_é_東京', at: '2026-11-20T10:00:01.000Z', clientIp: '::1', gatewayLatencyMs: 1000.5, backendLatencyMs: 0 },
    ];
    for (const r of records) buffer.pushRecord(r);
    const batches = buffer.drain(2);
    assert.deepEqual(batches.map((b) => b.count), [2, 2]);
    const columns = batches.map((b) => JSON.parse(b.json.toString('utf8')) as CallColumns);
    for (const c of columns) assert.ok(Value.Check(CallColumnsSchema, c), JSON.stringify([...Value.Errors(CallColumnsSchema, c)]));
    assert.deepEqual(columns[0]!.strings.filter((v) => v === 'ship'), ['ship'], 'a value repeated across calls is sent once');
    const back = columns.flatMap((c) => recordsFromColumns(c));
    assert.deepEqual(back, records);
    for (const r of back) assert.ok(Value.Check(CallRecordSchema, r), JSON.stringify([...Value.Errors(CallRecordSchema, r)]));
    assert.equal(buffer.size, 0);
    assert.deepEqual(buffer.drain(2), []);
  });

  it('refuses batches without the gateway token (401) and malformed records (422)', async () => {
    const batch = { batchId: 'batch-no-token', gateway: 'x', records: [call(1)] };
    const anonymous = await fetch(`${p.url}/gateway/v1/analytics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    assert.equal(anonymous.status, 401);
    const bad = await fetch(`${p.url}/gateway/v1/analytics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.cp.gatewayToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...batch, records: [{ ...call(1), status: 'ok' }] }),
    });
    assert.equal(bad.status, 422);
  });

  it('takes a batch as records too, and refuses columns that do not fit together with a pointer to the bad one', async () => {
    const post = (body: unknown) =>
      fetch(`${p.url}/gateway/v1/analytics`, { method: 'POST', headers: { authorization: `Bearer ${p.cp.gatewayToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const before = await calls();
    const asRecords = await post({ batchId: 'batch-as-records', gateway: 'tool', records: [call(1), call(2)] });
    assert.equal(asRecords.status, 200);
    assert.equal((await calls()) - before, 2);

    const buffer = new RecordBuffer(10);
    buffer.pushRecord(call(7));
    const good = JSON.parse(buffer.drain(10)[0]!.json.toString('utf8')) as CallColumns;
    const cases: Array<[string, Partial<CallColumns>, string]> = [
      ['short column', { status: [] }, '/columns/status'],
      ['index outside the dictionary', { apiId: [good.strings.length] }, '/columns/apiId/0'],
      ['null where a value is required', { organizationId: [-1] }, '/columns/organizationId/0'],
    ];
    for (const [what, change, pointer] of cases) {
      const res = await post({ batchId: `batch-bad-${pointer.replace(/\W/g, '')}`, gateway: 'gw', columns: { ...good, ...change } });
      assert.equal(res.status, 422, what);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = (await res.json()) as { code: string; errors: Array<{ pointer: string }> };
      assert.equal(problem.code, 'PORTICO_VALIDATION_FAILED', what);
      assert.equal(problem.errors[0]!.pointer, pointer, what);
    }
    assert.equal((await calls()) - before, 2, 'a refused batch counts nothing');
    const fixed = await post({ batchId: 'batch-good-columns', gateway: 'gw', columns: good });
    assert.equal(fixed.status, 200);
    assert.equal((await calls()) - before, 3);
  });
});
