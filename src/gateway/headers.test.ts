import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addForwarding, copyRequestHeaders, forwardedElement, newSeen, responseHeaders } from './headers.ts';

describe('header rewriting', () => {
  it('drops hop-by-hop request fields and reports what it saw', () => {
    const seen = newSeen();
    const out = copyRequestHeaders(
      ['Host', 'h', 'Connection', 'x-a, close', 'X-A', '1', 'X-B', '2', 'Transfer-Encoding', 'chunked', 'Expect', '100-continue', 'X-Request-Id', 'r1', 'Content-Length', '3'],
      seen,
    );
    assert.deepEqual(out, ['X-B', '2', 'Content-Length', '3']);
    assert.equal(seen.host, 'h');
    assert.equal(seen.chunked, true);
    assert.equal(seen.expectContinue, true);
    assert.equal(seen.requestId, 'r1');
    assert.equal(seen.contentLength, 3);
  });

  it('replaces a request id that is not a short printable token', () => {
    const seen = newSeen();
    copyRequestHeaders(['x-request-id', 'has space'], seen);
    assert.equal(seen.requestId, null);
  });

  it('appends forwarding fields, quoting IPv6 and non-token hosts (RFC 7239)', () => {
    const seen = newSeen();
    const out = copyRequestHeaders(['X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2'], seen);
    const span = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: null, flags: '01', state: 'k=v' };
    addForwarding(out, seen, { clientIp: '::1', clientHost: 'gw:8080', proto: 'http', upstreamHost: 'be', requestId: 'r', span });
    assert.deepEqual(out, [
      'host', 'be',
      'x-forwarded-for', '1.1.1.1, 2.2.2.2, ::1',
      'x-forwarded-proto', 'http',
      'x-forwarded-host', 'gw:8080',
      'forwarded', 'for="[::1]";host="gw:8080";proto=http',
      'x-request-id', 'r',
      'traceparent', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
      'tracestate', 'k=v',
    ]);
    assert.equal(forwardedElement('10.0.0.1', 'api.example.com', 'https'), 'for=10.0.0.1;host=api.example.com;proto=https');
  });

  it('keeps repeated response fields apart and drops hop-by-hop ones', () => {
    const raw = ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Connection', 'x-z', 'X-Z', 'no', 'Transfer-Encoding', 'chunked', 'X-Request-Id', 'theirs'].map((s) => Buffer.from(s));
    assert.deepEqual(responseHeaders(raw, 'mine'), ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'x-request-id', 'mine']);
  });
});
