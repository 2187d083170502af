import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createAccessLogger } from '../../src/core/logger.ts';
import { AccessLog } from '../../src/gateway/observe/access-log.ts';
import { call } from '../gateway/helpers.ts';
import { KEY, observedBed, type ObservedBed } from './helpers.ts';

/** Collects the JSON lines a logger writes. */
function lines(): { stream: Writable; out: string[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { stream, out };
}

for (const query of [false, true]) {
  describe(`access log${query ? ' with query strings' : ''}`, () => {
    let bed: ObservedBed;
    const log = lines();

    before(async () => {
      bed = await observedBed({ accessLog: new AccessLog(createAccessLogger(log.stream), { query }) });
      const auth = { authorization: `Bearer ${KEY}`, cookie: `session=${KEY}`, 'x-api-key': KEY };
      assert.equal((await call(bed.port, '/priv/orders/7', { headers: auth })).status, 200);
      assert.equal((await call(bed.port, `/priv/orders/8?api-key=${KEY}&token=${KEY}&page=2`)).status, 200);
      assert.equal((await call(bed.port, `/priv/orders/9?API-KEY=${encodeURIComponent(KEY)}`, { headers: { 'x-request-id': 'client-rid-1' } })).status, 401);
      await new Promise((r) => setImmediate(r));
    });
    after(() => bed?.close());

    it('writes one JSON line per call with ids, API, status, latencies, bytes and application', () => {
      assert.equal(log.out.length, 3);
      const first = JSON.parse(log.out[0]!);
      assert.equal(first.log, 'access');
      assert.equal(first.api, 'api_priv');
      assert.equal(first.apiName, 'Private');
      assert.equal(first.method, 'GET');
      assert.equal(first.path, '/priv/orders/7');
      assert.equal(first.status, 200);
      assert.equal(first.application, 'app_1');
      assert.match(first.traceId, /^[0-9a-f]{32}$/);
      assert.match(first.requestId, /^[0-9a-f-]{36}$/);
      assert.ok(first.gatewayMs >= first.backendMs && first.backendMs >= 0);
      assert.ok(first.bytesOut > 0);
      const third = JSON.parse(log.out[2]!);
      assert.equal(third.requestId, 'client-rid-1');
      assert.equal(third.status, 401);
      assert.equal(third.errorCode, 'PORTICO_KEY_MISSING');
      assert.equal(third.application, null);
    });

    it('never writes an API key sent in a header, a cookie, a bearer token or the query', () => {
      for (const line of log.out) assert.ok(!line.includes(KEY) && !line.includes(encodeURIComponent(KEY)), line);
    });

    it(query ? 'logs the query with credential parameters redacted' : 'leaves the query string out', () => {
      const second = JSON.parse(log.out[1]!);
      assert.equal(second.path, '/priv/orders/8');
      if (query) assert.equal(second.query, 'api-key=[redacted]&token=[redacted]&page=2');
      else assert.equal(second.query, undefined);
    });
  });
}
