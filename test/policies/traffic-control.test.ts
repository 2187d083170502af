import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { echoBackend } from '../gateway/helpers.ts';
import { limitsBed, type LimitsBed } from '../limits/bed.ts';
import { pointers } from './helpers.ts';

interface Problem {
  status: number;
  code: string;
  requestId: string;
}

async function refused(r: Response, status: number, code: string): Promise<Problem> {
  assert.equal(r.status, status);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  const p = (await r.json()) as Problem;
  assert.equal(p.code, code);
  return p;
}

const limitHeaders = (r: Response) => ({ limit: r.headers.get('ratelimit-limit'), remaining: r.headers.get('ratelimit-remaining'), reset: r.headers.get('ratelimit-reset') });

describe('traffic control policies through the gateway (memory store)', () => {
  let bed: LimitsBed;
  let release: (() => void) | null = null;
  const held: Array<() => void> = [];
  before(async () => {
    const slow = echoBackend((req, res) => {
      if (!req.url!.startsWith('/slow')) return false;
      held.push(() => res.end('slow'));
      release?.();
      return true;
    });
    bed = await limitsBed([], { backend: slow });
  });
  after(() => bed.close());

  it('lets a contract make 3 calls per minute, refuses the 4th with 429 PORTICO_RATE_LIMITED and Retry-After, and counts the other contract apart', async () => {
    bed.use([{ type: 'rate-limit', config: { limit: 3, per: 'minute' } }]);
    for (let i = 0; i < 3; i++) {
      const r = await bed.call('a');
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      const h = limitHeaders(r);
      assert.deepEqual({ limit: h.limit, remaining: h.remaining }, { limit: '3', remaining: String(2 - i) });
      assert.ok(Number(h.reset) >= 1 && Number(h.reset) <= 60, `RateLimit-Reset ${h.reset} at ${i}`);
    }
    const fourth = await bed.call('a');
    await refused(fourth, 429, 'PORTICO_RATE_LIMITED');
    assert.equal(limitHeaders(fourth).remaining, '0');
    assert.ok(Number(fourth.headers.get('retry-after')) >= 1 && Number(fourth.headers.get('retry-after')) <= 120, 'a sliding window frees a call within two windows');
    assert.ok(Number(limitHeaders(fourth).reset) >= Number(fourth.headers.get('retry-after')), 'a refused client is not told to come back before Retry-After');
    const other = await bed.call('b');
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('ratelimit-remaining'), '2');
  });

  it('refuses with 429 PORTICO_QUOTA_EXCEEDED once a weekly quota is used up, with a Retry-After up to the next Monday', async () => {
    bed.use([{ type: 'quota', id: 'pol_quota', config: { limit: 2, period: 'week', timeZone: 'Europe/Paris' } }]);
    assert.equal((await bed.call('a')).status, 200);
    assert.equal((await bed.call('a')).status, 200);
    const r = await bed.call('a');
    await refused(r, 429, 'PORTICO_QUOTA_EXCEEDED');
    const retry = Number(r.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 7 * 86_400 + 3_600, `Retry-After ${retry}`);
  });

  it('reports the most restrictive of several limits: the one with the fewest calls left', async () => {
    bed.use([
      { type: 'quota', id: 'pol_wide', config: { limit: 100, period: 'day' } },
      { type: 'rate-limit', id: 'pol_narrow', config: { limit: 2, per: 'hour', algorithm: 'gcra' } },
    ]);
    const r = await bed.call('b');
    assert.deepEqual({ limit: limitHeaders(r).limit, remaining: limitHeaders(r).remaining }, { limit: '2', remaining: '1' });
    await bed.call('b');
    const third = await bed.call('b');
    await refused(third, 429, 'PORTICO_RATE_LIMITED');
    assert.equal(third.headers.get('ratelimit-limit'), '2');
  });

  it('adds the RateLimit fields to an answer a policy gave and to a refusal by another policy', async () => {
    bed.use([
      { type: 'rate-limit', id: 'pol_rl_answer', config: { limit: 10, per: 'minute' } },
      { type: 'return-response', config: { status: 204 } },
    ]);
    const answered = await bed.call('a');
    assert.equal(answered.status, 204);
    assert.equal(answered.headers.get('ratelimit-remaining'), '9');
    bed.use([
      { type: 'rate-limit', id: 'pol_rl_answer', config: { limit: 10, per: 'minute' } },
      { type: 'set-backend', config: { url: 'http://127.0.0.1:1/' } },
    ]);
    const failed = await bed.call('a');
    assert.equal(failed.status, 502);
    assert.equal(failed.headers.get('ratelimit-remaining'), '8');
  });

  it('counts per header value, and per client address when the header is missing', async () => {
    bed.use([{ type: 'rate-limit', id: 'pol_hdr', config: { limit: 1, per: 'minute', by: 'header:X-Tenant' } }]);
    assert.equal((await bed.call('a', '/x', { headers: { 'x-tenant': 't1' } })).status, 200);
    await refused(await bed.call('b', '/x', { headers: { 'x-tenant': 't1' } }), 429, 'PORTICO_RATE_LIMITED');
    assert.equal((await bed.call('a', '/x', { headers: { 'x-tenant': 't2' } })).status, 200);
    assert.equal((await bed.call('a')).status, 200);
    await refused(await bed.call('b'), 429, 'PORTICO_RATE_LIMITED');
  });

  it('counts a cost per call from an expression, and keys by an expression', async () => {
    bed.use([{ type: 'rate-limit', id: 'pol_cost', config: { limit: 5, per: 'minute', key: '"everyone"', cost: 'request.method == "POST" ? 3 : 1' } }]);
    assert.equal((await bed.call('a', '/x', { method: 'POST', body: 'x' })).headers.get('ratelimit-remaining'), '2');
    assert.equal((await bed.call('b')).headers.get('ratelimit-remaining'), '1');
    await refused(await bed.call('b', '/x', { method: 'POST', body: 'x' }), 429, 'PORTICO_RATE_LIMITED');
  });

  it('arrests a spike: a call sooner than the interval gets 429 PORTICO_SPIKE_ARREST', async () => {
    bed.use([{ type: 'spike-arrest', config: { rate: 1, per: 'minute' } }]);
    assert.equal((await bed.call('a')).status, 200);
    const r = await bed.call('a');
    await refused(r, 429, 'PORTICO_SPIKE_ARREST');
    assert.ok(Number(r.headers.get('retry-after')) > 1);
    assert.equal((await bed.call('b')).status, 200);
  });

  it('refuses with 429 PORTICO_TRANSFER_QUOTA_EXCEEDED once the downloaded bytes pass the quota', async () => {
    bed.use([{ type: 'transfer-quota', config: { limit: 300, direction: 'download', period: 'day' } }]);
    let ok = 0;
    for (let i = 0; i < 10; i++) {
      const r = await bed.call('a');
      if (r.status === 429) {
        await refused(r, 429, 'PORTICO_TRANSFER_QUOTA_EXCEEDED');
        break;
      }
      const body = await r.arrayBuffer();
      assert.ok(body.byteLength > 100);
      ok++;
      await new Promise((res) => setTimeout(res, 20)); // the bytes are counted once the exchange ends
    }
    assert.ok(ok >= 1 && ok <= 3, `${ok} calls before the refusal`);
    assert.equal((await bed.call('b')).status, 200);
  });

  it('holds at most 2 calls in flight per contract and frees the slot when a call ends', async () => {
    bed.use([{ type: 'concurrency-limit', config: { limit: 2 } }]);
    const twoArrived = new Promise<void>((res) => {
      release = () => held.length === 2 && res();
    });
    const first = [bed.call('a', '/slow'), bed.call('a', '/slow')];
    await twoArrived;
    const third = await bed.call('a', '/slow/3');
    await refused(third, 429, 'PORTICO_CONCURRENCY_LIMITED');
    assert.equal(third.headers.get('retry-after'), '1');
    release = () => held.at(-1)!();
    assert.equal((await bed.call('b', '/slow')).status, 200);
    for (const end of held.splice(0, 2)) end();
    for (const r of await Promise.all(first)) assert.equal(await r.text(), 'slow');
    await new Promise((res) => setTimeout(res, 20));
    assert.equal((await bed.call('a', '/slow')).status, 200);
    release = null;
  });

  it('refuses bad configs when they are written, with a pointer to the field', () => {
    assert.deepEqual(pointers('rate-limit', { limit: 0, per: 'fortnight' }), ['/config/limit', '/config/per']);
    assert.deepEqual(pointers('rate-limit', { limit: 5, per: 'minute', algorithm: 'leaky' }), ['/config/algorithm']);
    assert.deepEqual(pointers('rate-limit', { limit: 5, per: 'minute', by: 'planet' }), ['/config/by']);
    assert.deepEqual(pointers('rate-limit', { limit: 5, per: 'minute', by: 'ip', key: 'request.ip' }), ['/config/key']);
    assert.deepEqual(pointers('rate-limit', { limit: 5, per: 'minute', key: 'request.nope(' }), ['/config/key']);
    assert.deepEqual(pointers('rate-limit', { limit: 5, per: 'minute', key: 'request.body.tenant' }), ['/config/key']);
    assert.deepEqual(pointers('rate-limit', { limit: 5, per: 'minute', cost: 0 }), ['/config/cost']);
    assert.deepEqual(pointers('rate-limit', { limit: 5, per: 'minute', failMode: 'maybe' }), ['/config/failMode']);
    assert.deepEqual(pointers('quota', { limit: 5, period: 'week', timeZone: 'Mars/Olympus' }), ['/config/timeZone']);
    assert.deepEqual(pointers('quota', { limit: 5, period: 'year' }), ['/config/period']);
    assert.deepEqual(pointers('spike-arrest', { rate: 5000, per: 'second' }), ['/config/rate']);
    assert.deepEqual(pointers('transfer-quota', { limit: 5, direction: 'sideways', period: 'day' }), ['/config/direction']);
    assert.deepEqual(pointers('concurrency-limit', { limit: 2, extra: true }), ['/config']);
    assert.deepEqual(pointers('rate-limit', { limit: 5, per: 'minute', by: 'header:X-Tenant', cost: 2, algorithm: 'gcra', failMode: 'closed' }), []);
  });
});
