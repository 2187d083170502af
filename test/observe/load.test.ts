// 5,000 calls at concurrency 100 through the real gateway, records shipped to a real HTTP ingest:
// every call is accounted for — shipped, or dropped and counted (shipped + dropped == calls).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { recordsFromColumns, type CallColumns } from '../../src/domain/call-columns.ts';
import { AnalyticsShipper } from '../../src/gateway/analytics/shipper.ts';
import { closeServer, listen } from '../gateway/helpers.ts';
import { observedBed, sample } from './helpers.ts';

const CALLS = 5000;
const CONCURRENCY = 100;

async function load(port: number): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < CALLS) {
      const i = next++;
      const r = await pool.request({ method: 'GET', path: `/pub/items/${i}` });
      await r.body.dump();
      if (r.statusCode === 200) ok++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await pool.close();
  return ok;
}

describe(`${CALLS} calls at concurrency ${CONCURRENCY}`, () => {
  let ingest: Server;
  let ingestUrl: string;
  const received = new Map<string, number>();

  before(async () => {
    // A control plane's analytics ingest: counts records per batch id (a retried batch counts once).
    ingest = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const batch = JSON.parse(Buffer.concat(chunks).toString()) as { batchId: string; columns: CallColumns };
        received.set(batch.batchId, recordsFromColumns(batch.columns).length);
        res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      });
    });
    ingestUrl = await listen(ingest);
  });
  after(() => closeServer(ingest));

  const delivered = () => [...received.values()].reduce((a, b) => a + b, 0);

  for (const capacity of [50_000, 1_000]) {
    it(`accounts for every call with a buffer of ${capacity} records: shipped + dropped == calls, and /metrics says the same`, async () => {
      received.clear();
      // One flush at the end: with the small buffer, everything past 1,000 records must be dropped.
      const shipper = new AnalyticsShipper({ controlPlaneUrl: ingestUrl, token: 't', gateway: 'load', flushMs: 60_000, capacity });
      const bed = await observedBed({ analytics: shipper });
      try {
        assert.equal(await load(bed.port), CALLS);
        await bed.gateway.close();
        await shipper.close();
        const { recorded, dropped, shipped, lost } = shipper.stats;
        assert.equal(recorded + dropped, CALLS);
        assert.equal(shipped + dropped, CALLS);
        assert.equal(lost, 0);
        assert.equal(delivered(), shipped, 'the ingest got exactly what the shipper says it shipped');
        assert.equal(dropped, Math.max(0, CALLS - capacity));
        const text = await bed.gateway.metrics.registry.metrics();
        assert.equal(sample(text, 'portico_gateway_analytics_records_total{outcome="shipped"}'), shipped);
        assert.equal(sample(text, 'portico_gateway_analytics_records_total{outcome="dropped"}'), dropped);
        assert.equal(sample(text, 'portico_gateway_requests_total{api="api_pub",api_name="Public",method="GET",status="200"}'), CALLS);
      } finally {
        await bed.close();
      }
    });
  }
});
