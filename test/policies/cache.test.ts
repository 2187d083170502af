import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server } from 'node:http';
import { limitsBed, type LimitsBed } from '../limits/bed.ts';
import { pointers } from './helpers.ts';

/** A backend that counts its calls; `?cc=` sets Cache-Control, `/cookie` sets a cookie, `/missing` answers 404. */
function countingBackend(): { server: Server; calls: () => number } {
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    const url = new URL(req.url!, 'http://b');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const cc = url.searchParams.get('cc');
    if (cc !== null) headers['cache-control'] = cc;
    if (url.pathname === '/cookie') headers['set-cookie'] = 'session=1';
    const body = url.pathname === '/big' ? 'x'.repeat(2000) : JSON.stringify({ n, url: req.url, lang: req.headers['accept-language'] ?? null });
    res.writeHead(url.pathname === '/missing' ? 404 : 200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return { server, calls: () => n };
}

describe('cache policy: answers repeated GETs from the response cache', () => {
  let bed: LimitsBed;
  let backend: ReturnType<typeof countingBackend>;
  const use = (config: Record<string, unknown>) =>
    bed.use([
      { type: 'set-header', scope: 'api', config: { name: 'X-Tag', value: '{{request.headers["x-tag"]}}', phase: 'response' } },
      { type: 'cache', scope: 'api', config },
    ]);
  /** Calls the gateway; `n` is the backend's call count that produced the body. */
  const get = async (path: string, init: RequestInit = {}, app: 'a' | 'b' = 'a') => {
    const r = await bed.call(app, path, { ...init, headers: { 'x-tag': 'none', ...(init.headers as Record<string, string>) } });
    const text = await r.text();
    return { status: r.status, cache: r.headers.get('portico-cache'), age: r.headers.get('age'), tag: r.headers.get('x-tag'), text, n: text.startsWith('{') ? (JSON.parse(text) as { n: number }).n : null };
  };

  before(async () => {
    backend = countingBackend();
    bed = await limitsBed([], { backend: backend.server });
  });
  after(() => bed.close());

  it('answers the second call from the cache with Age and Portico-Cache: HIT, and still runs response policies on it', async () => {
    use({ ttlSeconds: 60 });
    const first = await get('/orders/1', { headers: { 'x-tag': 'one' } });
    assert.equal(first.cache, 'MISS');
    const before = backend.calls();
    const second = await get('/orders/1', { headers: { 'x-tag': 'two' } });
    assert.equal(backend.calls(), before, 'the backend was not called');
    assert.equal(second.cache, 'HIT');
    assert.equal(second.text, first.text);
    assert.equal(second.age, '0');
    assert.equal(second.tag, 'two', 'the response-phase set-header ran on the cached answer');
  });

  it('keys by normalised query (order does not matter) and by an allow-list of parameters', async () => {
    use({ ttlSeconds: 60 });
    const a = await get('/q?a=1&b=2');
    assert.equal((await get('/q?b=2&a=1')).n, a.n);
    assert.notEqual((await get('/q?a=1&b=3')).n, a.n);
    use({ ttlSeconds: 60, queryParameters: ['a'] });
    const c = await get('/q2?a=1&tracking=x');
    assert.equal((await get('/q2?tracking=y&a=1')).n, c.n);
    assert.notEqual((await get('/q2?a=2')).n, c.n);
  });

  it('keys by the varyByHeaders values', async () => {
    use({ ttlSeconds: 60, varyByHeaders: ['Accept-Language'] });
    const fr = await get('/v', { headers: { 'accept-language': 'fr' } });
    const de = await get('/v', { headers: { 'accept-language': 'de' } });
    assert.notEqual(fr.n, de.n);
    assert.equal((await get('/v', { headers: { 'accept-language': 'fr' } })).n, fr.n);
  });

  it('never serves one application the answer cached for another unless shared is true', async () => {
    use({ ttlSeconds: 60 });
    const a = await get('/private', {}, 'a');
    const b = await get('/private', {}, 'b');
    assert.notEqual(b.n, a.n);
    assert.equal(b.cache, 'MISS');
    use({ ttlSeconds: 60, shared: true });
    const sa = await get('/public', {}, 'a');
    const sb = await get('/public', {}, 'b');
    assert.equal(sb.cache, 'HIT');
    assert.equal(sb.n, sa.n);
  });

  it('honours backend Cache-Control no-store, private and max-age, and request Cache-Control: no-cache', async () => {
    use({ ttlSeconds: 60 });
    for (const cc of ['no-store', 'private', 'max-age=0']) {
      const path = `/cc?cc=${encodeURIComponent(cc)}`;
      const first = await get(path);
      assert.notEqual((await get(path)).n, first.n, `${cc} is not stored`);
    }
    const path = '/short?cc=max-age%3D1';
    const kept = await get(path);
    assert.equal((await get(path)).n, kept.n);
    await new Promise((r) => setTimeout(r, 1100));
    assert.notEqual((await get(path)).n, kept.n, 'max-age=1 expired before the 60 s TTL');
    const fresh = await get('/orders/1', { headers: { 'cache-control': 'no-cache' } });
    assert.equal(fresh.cache, 'MISS');
    assert.equal((await get('/orders/1')).n, fresh.n, 'the refreshed answer replaced the entry');
  });

  it('does not cache POST, Set-Cookie answers, uncached statuses or bodies above maxEntryBytes', async () => {
    use({ ttlSeconds: 60, maxEntryBytes: 1000 });
    const post = async () => (await bed.call('a', '/p', { method: 'POST', body: 'x' })).text();
    assert.notEqual(await post(), await post());
    for (const path of ['/cookie', '/missing', '/big']) {
      const before = backend.calls();
      await get(path);
      const second = await get(path);
      assert.equal(backend.calls(), before + 2, `${path} was not stored`);
      assert.equal(second.cache, 'MISS');
    }
    use({ ttlSeconds: 60, statuses: [200, 404] });
    await get('/missing');
    assert.equal((await get('/missing')).cache, 'HIT');
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('cache', { ttlSeconds: 0 }), ['/config/ttlSeconds']);
    assert.deepEqual(pointers('cache', {}), ['/config']);
    assert.deepEqual(pointers('cache', { ttlSeconds: 10, varyByHeaders: ['bad header'] }), ['/config/varyByHeaders/0']);
    assert.deepEqual(pointers('cache', { ttlSeconds: 10, statuses: [99] }), ['/config/statuses/0']);
    assert.deepEqual(pointers('cache', { ttlSeconds: 10, shared: 'yes' }), ['/config/shared']);
    assert.deepEqual(pointers('cache', { ttlSeconds: 10, queryParameters: ['a'], varyByHeaders: ['Accept'], statuses: [200, 203], maxEntryBytes: 4096 }), []);
  });
});
