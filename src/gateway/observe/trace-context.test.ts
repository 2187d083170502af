import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spanContext, traceparentFor } from './trace-context.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('W3C trace context', () => {
  it('continues a valid trace with a new span of its own and keeps flags and tracestate', () => {
    const s = spanContext(`00-${TRACE}-${PARENT}-01`, 'congo=t61rcWkgMzE');
    assert.equal(s.traceId, TRACE);
    assert.equal(s.parentSpanId, PARENT);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(s.spanId, PARENT);
    assert.equal(traceparentFor(s), `00-${TRACE}-${s.spanId}-01`);
    assert.equal(s.state, 'congo=t61rcWkgMzE');
  });

  it('accepts a later version with extra fields and answers in version 00', () => {
    const s = spanContext(`01-${TRACE}-${PARENT}-00-future`, null);
    assert.equal(s.traceId, TRACE);
    assert.equal(traceparentFor(s), `00-${TRACE}-${s.spanId}-00`);
  });

  const malformed: [string, string][] = [
    ['garbage', 'not a traceparent'],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['version 00 with extra fields', `00-${TRACE}-${PARENT}-01-x`],
    ['a short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['two headers (the empty marker)', ''],
  ];
  for (const [what, header] of malformed) {
    it(`starts a new trace and drops tracestate for ${what}`, () => {
      const s = spanContext(header, 'a=b');
      assert.notEqual(s.traceId, TRACE);
      assert.match(traceparentFor(s), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.equal(s.parentSpanId, null);
      assert.equal(s.state, null);
    });
  }

  it('drops a tracestate that is too long or not printable, keeping the trace', () => {
    assert.equal(spanContext(`00-${TRACE}-${PARENT}-01`, 'a=' + 'x'.repeat(600)).state, null);
    assert.equal(spanContext(`00-${TRACE}-${PARENT}-01`, 'a=\u0001').state, null);
  });

  it('gives every call distinct ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => spanContext(null, null).spanId));
    assert.equal(ids.size, 2000);
  });
});
