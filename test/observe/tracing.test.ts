import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OtlpSpanExporter } from '../../src/gateway/observe/otlp.ts';
import { call, closeServer, json, type Seen } from '../gateway/helpers.ts';
import { attr, KEY, observedBed, otlpReceiver, spansOf, type ObservedBed } from './helpers.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(\d\d)$/;

describe('tracing through the gateway', () => {
  let bed: ObservedBed;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let spans: OtlpSpanExporter;

  before(async () => {
    receiver = await otlpReceiver();
    spans = new OtlpSpanExporter({ endpoint: receiver.url, flushMs: 60_000 });
    bed = await observedBed({ spans });
  });
  after(async () => {
    await bed?.close();
    await spans?.close();
    await closeServer(receiver.server);
  });

  async function backendSaw(path: string, headers: Record<string, string | string[]> = {}): Promise<Seen['headers']> {
    const r = await call(bed.port, path, { headers });
    assert.equal(r.status, 200, r.body);
    return json<Seen>(r).headers;
  }

  it('continues the client trace: same trace id, the gateway span as parent, tracestate kept, one span exported', async () => {
    const seen = await backendSaw(`/priv/orders/7?api-key=${KEY}&x=1`, { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'vendor=abc' });
    const m = TRACEPARENT.exec(String(seen.traceparent))!;
    assert.ok(m, String(seen.traceparent));
    assert.equal(m[1], TRACE);
    assert.notEqual(m[2], PARENT, 'the backend sees the gateway span, not the client one');
    assert.equal(seen.tracestate, 'vendor=abc');
    await spans.flush();
    const span = spansOf(receiver.bodies).find((s) => s.spanId === m[2]);
    assert.ok(span, 'the exported span is the one the backend was told about');
    assert.equal(span.traceId, TRACE);
    assert.equal(span.parentSpanId, PARENT);
    assert.equal(span.kind, 2);
    assert.equal(span.traceState, 'vendor=abc');
    assert.equal(attr(span, 'http.request.method'), 'GET');
    assert.equal(attr(span, 'http.response.status_code'), '200');
    assert.equal(attr(span, 'http.route'), '/priv/*');
    assert.equal(attr(span, 'url.path'), '/priv/orders/7', 'no query string in the span');
    assert.equal(attr(span, 'portico.api'), 'api_priv');
    assert.equal(attr(span, 'portico.application'), 'app_1');
    assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
    assert.ok(Math.abs(Number(BigInt(span.startTimeUnixNano) / 1_000_000n) - Date.now()) < 60_000, 'nanoseconds since the epoch');
    assert.equal(receiver.paths.at(-1), 'POST /v1/traces application/json');
    assert.doesNotMatch(JSON.stringify(receiver.bodies), /pk_observe/);
  });

  it('names the span by operation template', async () => {
    await backendSaw('/pub/items/42');
    await spans.flush();
    const span = spansOf(receiver.bodies).at(-1);
    assert.equal(span.name, 'GET /pub/items/{id}');
    assert.equal(attr(span, 'url.path'), '/pub/items/42');
  });

  it('starts a new trace when the client sent none', async () => {
    const seen = await backendSaw('/pub/items/1');
    const m = TRACEPARENT.exec(String(seen.traceparent))!;
    assert.ok(m);
    assert.equal(m[3], '01');
    assert.equal(seen.tracestate, undefined);
    await spans.flush();
    const span = spansOf(receiver.bodies).find((s) => s.spanId === m[2]);
    assert.equal(span.traceId, m[1]);
    assert.equal(span.parentSpanId, undefined);
  });

  for (const [what, headers] of [
    ['a malformed traceparent', { traceparent: 'junk-%%%-evil', tracestate: 'vendor=abc' }],
    ['two traceparent headers', { traceparent: [`00-${TRACE}-${PARENT}-01`, `00-${TRACE}-${PARENT}-01`] }],
  ] as const) {
    it(`never forwards ${what}: the backend gets a fresh trace and no tracestate`, async () => {
      const seen = await backendSaw('/pub/items/1', headers as Record<string, string | string[]>);
      const m = TRACEPARENT.exec(String(seen.traceparent));
      assert.ok(m, String(seen.traceparent));
      assert.notEqual(m[1], TRACE);
      assert.equal(seen.tracestate, undefined);
    });
  }

  it('propagates an unsampled trace without exporting its span', async () => {
    await spans.flush();
    const before = spansOf(receiver.bodies).length;
    const seen = await backendSaw('/pub/items/1', { traceparent: `00-${TRACE}-${PARENT}-00` });
    assert.match(String(seen.traceparent), new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
    await spans.flush();
    assert.equal(spansOf(receiver.bodies).length, before);
  });

  it('keeps answering while the collector refuses, and counts the failed spans', async () => {
    receiver.status = 503;
    const failed = spans.stats.failed;
    for (let i = 0; i < 5; i++) await backendSaw('/pub/items/1');
    await spans.flush();
    assert.equal(spans.stats.failed - failed, 5);
    receiver.status = 200;
  });
});

describe('span export bounds', () => {
  it('drops and counts spans beyond the queue instead of growing, and exports the rest', async () => {
    const receiver = await otlpReceiver();
    const spans = new OtlpSpanExporter({ endpoint: `${receiver.url}/v1/traces`, flushMs: 60_000, maxQueue: 3 });
    const bed = await observedBed({ spans });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await call(bed.port, '/pub/items/1')).status, 200);
      await spans.flush();
      assert.deepEqual(spans.stats, { exported: 3, dropped: 2, failed: 0 });
      assert.equal(spansOf(receiver.bodies).length, 3);
      assert.equal(receiver.paths[0], 'POST /v1/traces application/json', 'a full traces URL is used as is');
    } finally {
      await bed.close();
      await spans.close();
      await closeServer(receiver.server);
    }
  });
});
