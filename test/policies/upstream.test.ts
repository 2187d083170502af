import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { closeServer, echoBackend, listen } from '../gateway/helpers.ts';
import { pointers, policyBed, type PolicyBed } from './helpers.ts';

interface Hit {
  at: number;
  method: string;
  body: string;
}

/** The backend answers hit number n (1-based) with `script(n)`; undefined: the echo. */
type Script = (n: number, req: IncomingMessage, res: ServerResponse) => boolean;

describe('upstream policies: retry with back-off and a per-API read timeout', () => {
  let bed: PolicyBed;
  let hits: Hit[] = [];
  let script: Script = () => false;
  before(async () => {
    bed = await policyBed(
      [],
      echoBackend((req, res, body) => {
        hits.push({ at: performance.now(), method: req.method!, body });
        return script(hits.length, req, res);
      }),
    );
  });
  after(() => bed.close());
  beforeEach(() => {
    hits = [];
    script = () => false;
  });

  const failFirst = (n: number, status = 503): Script => (i, _req, res) => {
    if (i > n) return false;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`failure ${i}`);
    return true;
  };

  it('answers 200 after a backend that fails twice with 503, calling it exactly 3 times', async () => {
    bed.use([{ type: 'retry', config: { attempts: 3, delayMs: 10 } }]);
    script = failFirst(2);
    const res = await fetch(`${bed.url}/t/x`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { url: string }).url, '/x');
    assert.equal(hits.length, 3);
  });

  it('retries a connection the backend drops before answering', async () => {
    bed.use([{ type: 'retry', config: { attempts: 2, delayMs: 10 } }]);
    script = (i, req) => {
      if (i > 2) return false;
      req.socket.destroy();
      return true;
    };
    const res = await fetch(`${bed.url}/t/x`);
    assert.equal(res.status, 200);
    assert.equal(hits.length, 3);
  });

  it('passes on the last 503 when the attempts are exhausted, and 502 PORTICO_UPSTREAM_UNAVAILABLE when the last attempt could not connect', async () => {
    bed.use([{ type: 'retry', config: { attempts: 2, delayMs: 10 } }]);
    script = failFirst(10);
    const res = await fetch(`${bed.url}/t/x`);
    assert.equal(res.status, 503);
    assert.equal(await res.text(), 'failure 3');
    assert.equal(hits.length, 3);

    hits = [];
    script = (_i, req) => {
      req.socket.destroy();
      return true;
    };
    const dropped = await fetch(`${bed.url}/t/x`);
    assert.equal(dropped.status, 502);
    assert.equal(((await dropped.json()) as { code: string }).code, 'PORTICO_UPSTREAM_UNAVAILABLE');
    assert.equal(hits.length, 3);
  });

  it('does not retry a POST by default, nor buffer its body', async () => {
    bed.use([{ type: 'retry', config: { attempts: 3, delayMs: 10 } }]);
    script = failFirst(2);
    const res = await fetch(`${bed.url}/t/x`, { method: 'POST', body: 'order=1' });
    assert.equal(res.status, 503);
    assert.equal(hits.length, 1);
  });

  it('retries a POST with unsafeMethods, sending the same body each time', async () => {
    bed.use([{ type: 'retry', config: { attempts: 3, delayMs: 10, unsafeMethods: true } }]);
    script = failFirst(2, 502);
    const res = await fetch(`${bed.url}/t/x`, { method: 'POST', body: 'order=1' });
    assert.equal(res.status, 200);
    assert.deepEqual(
      hits.map((h) => `${h.method} ${h.body}`),
      ['POST order=1', 'POST order=1', 'POST order=1'],
    );
  });

  it('retries only the statuses it names', async () => {
    bed.use([{ type: 'retry', config: { attempts: 3, delayMs: 10, statuses: [429] } }]);
    script = failFirst(1, 503);
    assert.equal((await fetch(`${bed.url}/t/x`)).status, 503);
    assert.equal(hits.length, 1);
    hits = [];
    script = failFirst(1, 429);
    assert.equal((await fetch(`${bed.url}/t/x`)).status, 200);
    assert.equal(hits.length, 2);
  });

  it('waits longer before each retry (exponential back-off)', async () => {
    bed.use([{ type: 'retry', config: { attempts: 3, delayMs: 80, factor: 2, maxDelayMs: 1000 } }]);
    script = failFirst(3);
    assert.equal((await fetch(`${bed.url}/t/x`)).status, 200);
    assert.equal(hits.length, 4);
    const gaps = hits.slice(1).map((h, i) => h.at - hits[i]!.at);
    // At least the configured waits: 80, 160, 320 ms (less a timer's slack).
    assert.ok(gaps[0]! >= 75 && gaps[1]! >= 155 && gaps[2]! >= 315, `gaps ${gaps.join(', ')}`);
    assert.ok(gaps[0]! < gaps[1]! && gaps[1]! < gaps[2]!, `gaps ${gaps.join(', ')}`);
  });

  it('answers 504 PORTICO_UPSTREAM_TIMEOUT when the backend is slower than the timeout, and never retries it', async () => {
    script = (_i, _req, res) => {
      // Slower than the policy's timeout plus undici's timer resolution (about half a second),
      // faster than the backend's own read timeout (2 s).
      setTimeout(() => res.end('late'), 1500).unref();
      return true;
    };
    bed.use([]);
    assert.equal(await (await fetch(`${bed.url}/t/x`)).text(), 'late');
    hits = [];
    bed.use([
      { type: 'timeout', config: { readTimeoutMs: 100 } },
      { type: 'retry', config: { attempts: 3, delayMs: 10 } },
    ]);
    const res = await fetch(`${bed.url}/t/x`);
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { code: string }).code, 'PORTICO_UPSTREAM_TIMEOUT');
    assert.equal(hits.length, 1);
  });

  it('waits the back-off before retrying a dropped connection too', async () => {
    bed.use([{ type: 'retry', config: { attempts: 1, delayMs: 150 } }]);
    script = (i, req) => {
      if (i > 1) return false;
      req.socket.destroy();
      return true;
    };
    assert.equal((await fetch(`${bed.url}/t/x`)).status, 200);
    assert.equal(hits.length, 2);
    assert.ok(hits[1]!.at - hits[0]!.at >= 145, `gap ${hits[1]!.at - hits[0]!.at}`);
  });

  it('counts dropped connections and retried statuses against one budget of attempts', async () => {
    bed.use([{ type: 'retry', config: { attempts: 2, delayMs: 10 } }]);
    script = (i, req, res) => {
      if (i === 1) req.socket.destroy();
      else res.writeHead(503).end(`failure ${i}`);
      return true;
    };
    const res = await fetch(`${bed.url}/t/x`);
    assert.equal(res.status, 503);
    assert.equal(await res.text(), 'failure 3');
    assert.equal(hits.length, 3);
  });

  it('retries a backend URL chosen by set-backend on that URL, not on the API backend', async () => {
    const other = echoBackend((_req, res) => {
      otherHits++;
      if (otherHits === 1) res.writeHead(503).end();
      else res.end('other');
      return true;
    });
    let otherHits = 0;
    const otherUrl = await listen(other);
    try {
      bed.use([
        { type: 'set-backend', config: { url: otherUrl } },
        { type: 'retry', config: { attempts: 2, delayMs: 10 } },
      ]);
      assert.equal(await (await fetch(`${bed.url}/t/x`)).text(), 'other');
      assert.equal(otherHits, 2);
      assert.equal(hits.length, 0);
    } finally {
      await closeServer(other);
    }
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('retry', { attempts: 0 }), ['/config/attempts']);
    assert.deepEqual(pointers('retry', {}), ['/config']);
    assert.deepEqual(pointers('retry', { attempts: 2, statuses: [200] }), ['/config/statuses/0']);
    assert.deepEqual(pointers('retry', { attempts: 2, delayMs: 500, maxDelayMs: 100 }), ['/config/maxDelayMs']);
    assert.deepEqual(pointers('retry', { attempts: 2, factor: 0.5 }), ['/config/factor']);
    assert.deepEqual(pointers('retry', { attempts: 2, unsafe: true }), ['/config']);
    assert.deepEqual(pointers('timeout', { readTimeoutMs: 0 }), ['/config/readTimeoutMs']);
    assert.deepEqual(pointers('timeout', { readTimeoutMs: '5s' }), ['/config/readTimeoutMs']);
  });
});
