import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBalancer } from './balancer.ts';
import { CircuitBreaker } from './circuit-breaker.ts';

const target = (name: string, weight = 1) => ({ name, weight, breaker: new CircuitBreaker(1, 60_000) });

describe('balancer', () => {
  it('round-robin cycles through targets in order', () => {
    const b = createBalancer('round-robin', [target('a'), target('b'), target('c')]);
    assert.deepEqual(Array.from({ length: 6 }, () => b.pick(null)!.name), ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('weighted spreads picks smoothly by weight and ignores zero weights', () => {
    const b = createBalancer('weighted', [target('a', 5), target('b', 1), target('c', 1), target('z', 0)]);
    const picks = Array.from({ length: 7 }, () => b.pick(null)!.name);
    assert.deepEqual(picks, ['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('skips targets with an open circuit and the excluded one; null when none is left', () => {
    const [a, b2] = [target('a'), target('b')];
    const b = createBalancer('round-robin', [a, b2]);
    a.breaker.failure(Date.now());
    assert.deepEqual([b.pick(null)!.name, b.pick(null)!.name], ['b', 'b']);
    assert.equal(b.pick(b2), null);
    b2.breaker.failure(Date.now());
    assert.equal(b.pick(null), null);
  });
});
