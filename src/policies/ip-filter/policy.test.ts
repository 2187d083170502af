import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyConfigError } from '../sdk.ts';
import { clientAddress, compileList, matches, parseAddress } from './addresses.ts';

const has = (entries: string[], address: string) => matches(compileList(entries, '/allow'), parseAddress(address)!);

describe('ip-filter address matching', () => {
  it('matches IPv4 and IPv6 addresses and ranges', () => {
    assert.equal(has(['10.0.0.0/8'], '10.200.3.4'), true);
    assert.equal(has(['10.0.0.0/8'], '11.0.0.1'), false);
    assert.equal(has(['2001:db8::/32'], '2001:db8:ffff::1'), true);
    assert.equal(has(['2001:db8::/32'], '2001:db9::1'), false);
    assert.equal(has(['2001:DB8::7'], '2001:db8:0:0:0:0:0:7'), true);
    assert.equal(has(['192.0.2.1'], '192.0.2.2'), false);
  });

  it('matches IPv4-mapped IPv6 peers and rules as the IPv4 address they carry', () => {
    assert.equal(has(['198.51.100.0/24'], '::ffff:198.51.100.4'), true);
    assert.equal(has(['198.51.100.0/24'], '::ffff:c633:6404'), true);
    assert.equal(has(['::ffff:198.51.100.0/120'], '198.51.100.200'), true);
    assert.equal(has(['::ffff:198.51.100.0/120'], '198.51.101.1'), false);
  });

  it('reads hops with ports, brackets and zones', () => {
    assert.deepEqual(parseAddress('[2001:db8::1]:443'), { address: '2001:db8::1', family: 'ipv6' });
    assert.deepEqual(parseAddress(' 203.0.113.5:8080'), { address: '203.0.113.5', family: 'ipv4' });
    assert.deepEqual(parseAddress('fe80::1%eth0'), { address: 'fe80::1', family: 'ipv6' });
    assert.equal(parseAddress('unknown'), null);
  });

  it('takes the right-most untrusted X-Forwarded-For hop, and only from a trusted peer', () => {
    const trusted = compileList(['10.0.0.0/8', 'fd00::/8'], '/trustedProxies');
    assert.equal(clientAddress('10.0.0.1', '198.51.100.1, 2001:db8::5, 10.0.0.1', trusted)?.address, '2001:db8::5');
    assert.equal(clientAddress('fd00::1', '2001:db8::9, fd00::2, fd00::1', trusted)?.address, '2001:db8::9');
    assert.equal(clientAddress('::ffff:10.0.0.1', '203.0.113.7, 10.0.0.1', trusted)?.address, '203.0.113.7');
    assert.equal(clientAddress('2001:db8::66', '10.9.9.9, 2001:db8::66', trusted)?.address, '2001:db8::66');
    assert.equal(clientAddress('10.0.0.1', '10.0.0.3, 10.0.0.1', trusted)?.address, '10.0.0.3');
    assert.equal(clientAddress('10.0.0.1', 'garbage, 10.0.0.1', trusted), null);
    assert.equal(clientAddress('10.0.0.1', '1.2.3.4, 10.0.0.1', null)?.address, '10.0.0.1');
  });

  it('refuses malformed entries with a pointer to them', () => {
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '1.2.3', '10.0.0.1:80', '[::1]', '10.0.0.0/', '::ffff:1.2.3.4/90', 'fe80::1%eth0']) {
      assert.throws(
        () => compileList(['10.0.0.1', bad], '/deny'),
        (e: unknown) => e instanceof PolicyConfigError && e.pointer === '/deny/1',
        bad,
      );
    }
  });
});
