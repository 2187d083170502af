import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId, randomToken } from './ids.ts';

describe('newId', () => {
  it('is the prefix, 10 time characters and 16 random ones in lower-case Crockford base32', () => {
    assert.match(newId('api'), /^api_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it('sorts by creation time', () => {
    const times = [0, 1, 31, 32, 1_000, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000, 2 ** 45];
    const ids = times.map((t) => newId('x', t));
    assert.deepEqual([...ids].sort(), ids);
    // Whatever the random part, a later millisecond sorts after.
    for (let i = 0; i < 200; i++) assert.ok(newId('x', 1_700_000_000_000) < newId('x', 1_700_000_000_001));
  });

  it('sorts ids made one after another in order of creation', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(newId('x'));
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.deepEqual([...ids].sort(), ids);
  });

  it('is unique, even within one millisecond', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(newId('x', 42));
    assert.equal(ids.size, 10_000);
  });
});

describe('randomToken', () => {
  it('is URL-safe, of the requested size, and unique', () => {
    const token = randomToken(24);
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.equal(Buffer.from(token, 'base64url').length, 24);
    assert.notEqual(randomToken(), randomToken());
  });
});
