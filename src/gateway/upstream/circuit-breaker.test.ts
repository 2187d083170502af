import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from './circuit-breaker.ts';

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures, not before', () => {
    const cb = new CircuitBreaker(3, 1000);
    cb.failure(0);
    cb.failure(0);
    assert.equal(cb.allow(0), true);
    cb.success();
    cb.failure(0);
    cb.failure(0);
    assert.equal(cb.allow(0), true);
    cb.failure(0);
    assert.equal(cb.allow(10), false);
  });

  it('lets exactly one trial through after the cooldown and closes on its success', () => {
    const cb = new CircuitBreaker(1, 1000);
    cb.failure(0);
    assert.equal(cb.allow(999), false);
    assert.equal(cb.allow(1000), true);
    assert.equal(cb.allow(1001), false);
    cb.success();
    assert.equal(cb.allow(1002), true);
    assert.equal(cb.isOpen, false);
  });

  it('reopens when the trial fails, and frees a trial that never reports', () => {
    const cb = new CircuitBreaker(1, 1000);
    cb.failure(0);
    assert.equal(cb.allow(1000), true);
    cb.failure(1000);
    assert.equal(cb.allow(1500), false);
    assert.equal(cb.allow(2000), true); // trial claimed, outcome never reported
    assert.equal(cb.allow(2500), false);
    assert.equal(cb.allow(3000), true);
  });

  it('never opens with a threshold of 0', () => {
    const cb = new CircuitBreaker(0, 1000);
    for (let i = 0; i < 10; i++) cb.failure(0);
    assert.equal(cb.allow(0), true);
  });
});
