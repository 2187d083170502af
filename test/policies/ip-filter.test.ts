import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { URL } from 'node:url';
import { call, echoBackend, json } from '../gateway/helpers.ts';
import { keyed, pointers, policyBed, type PolicyBed } from './helpers.ts';

describe('ip-filter: allow and deny lists, trusted proxies, before key verification', () => {
  let bed: PolicyBed;
  let port: number;
  let backendCalls = 0;
  before(async () => {
    bed = await policyBed([], echoBackend(() => void backendCalls++), { visibility: 'private' });
    port = Number(new URL(bed.url).port);
  });
  after(() => bed.close());

  const get = (config: Record<string, unknown>, xff?: string) => {
    bed.use([{ type: 'ip-filter', config }], {}, keyed('key-1'));
    return call(port, '/t/x', { headers: { 'x-api-key': 'key-1', ...(xff === undefined ? {} : { 'x-forwarded-for': xff }) } });
  };

  it('lets an allowed address through and refuses 127.0.0.1 outside the allow list with 403 PORTICO_IP_FORBIDDEN, without calling the backend', async () => {
    assert.equal((await get({ allow: ['127.0.0.0/8'] })).status, 200);
    const calls = backendCalls;
    const r = await get({ allow: ['10.0.0.0/8', '2001:db8::/32'] });
    assert.equal(r.status, 403);
    assert.equal(json(r).code, 'PORTICO_IP_FORBIDDEN');
    assert.match(String(json(r).detail), /127\.0\.0\.1/);
    assert.equal(backendCalls, calls);
  });

  it('refuses a denied address even inside an allowed range', async () => {
    assert.equal((await get({ allow: ['127.0.0.0/8'], deny: ['127.0.0.1'] })).status, 403);
    assert.equal((await get({ deny: ['127.0.0.2'] })).status, 200);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy (no spoofing)', async () => {
    assert.equal((await get({ allow: ['203.0.113.9'] }, '203.0.113.9')).status, 403);
    assert.equal((await get({ deny: ['127.0.0.1'] }, '203.0.113.9')).status, 403);
    assert.equal((await get({ allow: ['203.0.113.9'], trustedProxies: ['10.0.0.0/8'] }, '203.0.113.9')).status, 403);
  });

  it('takes the client from X-Forwarded-For behind a trusted proxy: the right-most hop that is not a proxy', async () => {
    const config = { allow: ['198.51.100.0/24'], trustedProxies: ['127.0.0.1'] };
    assert.equal((await get(config, '198.51.100.7')).status, 200);
    // A client prepending an allowed address does not get in: 203.0.113.9 is what the proxy saw.
    const spoofed = await get(config, '198.51.100.7, 203.0.113.9');
    assert.equal(spoofed.status, 403);
    assert.match(String(json(spoofed).detail), /203\.0\.113\.9/);
    assert.equal((await get({ ...config, trustedProxies: ['127.0.0.1', '203.0.113.0/24'] }, '198.51.100.7, 203.0.113.9')).status, 200);
    assert.equal((await get(config, 'not-an-address')).status, 403);
  });

  it('filters IPv6 and IPv4-mapped client addresses forwarded by a trusted proxy', async () => {
    const config = { allow: ['2001:db8::/32', '192.0.2.0/24'], deny: ['2001:db8::66'], trustedProxies: ['127.0.0.1'] };
    assert.equal((await get(config, '2001:db8::7')).status, 200);
    assert.equal((await get(config, '[2001:db8::8]:51234')).status, 200);
    assert.equal((await get(config, '2001:db8::66')).status, 403);
    assert.equal((await get(config, '2001:db9::1')).status, 403);
    assert.equal((await get(config, '::ffff:192.0.2.44')).status, 200);
  });

  it('refuses an address before the API key is checked', async () => {
    bed.use([{ type: 'ip-filter', config: { deny: ['127.0.0.1'] } }], {}, keyed('key-1'));
    const r = await call(port, '/t/x');
    assert.equal(json(r).code, 'PORTICO_IP_FORBIDDEN');
    bed.use([{ type: 'ip-filter', config: { allow: ['127.0.0.1'] } }], {}, keyed('key-1'));
    assert.equal(json(await call(port, '/t/x')).code, 'PORTICO_KEY_MISSING');
  });

  it('refuses bad addresses and ranges with a pointer to the entry', () => {
    assert.deepEqual(pointers('ip-filter', { allow: ['10.0.0.0/8', '10.0.0.0/33'] }), ['/config/allow/1']);
    assert.deepEqual(pointers('ip-filter', { deny: ['1.2.3'] }), ['/config/deny/0']);
    assert.deepEqual(pointers('ip-filter', { allow: ['::1'], trustedProxies: ['proxy.internal'] }), ['/config/trustedProxies/0']);
    assert.deepEqual(pointers('ip-filter', { trustedProxies: ['10.0.0.1'] }), ['/config']);
    assert.deepEqual(pointers('ip-filter', { allow: ['2001:db8::/48'] }), []);
  });
});
