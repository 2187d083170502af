import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RELATIVE_ACCURACY, addValue, emptySketch, mergeInto, quantile, sketchCount } from './latency-sketch.ts';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function within(actual: number | null, expected: number): void {
  assert.ok(actual !== null);
  assert.ok(Math.abs(actual - expected) <= expected * RELATIVE_ACCURACY * 1.0001 + 1e-9, `${actual} is not within 1% of ${expected}`);
}

describe('latency sketch', () => {
  it('answers p50, p95 and p99 within 1% of the exact values for a skewed distribution', () => {
    const values: number[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let i = 0; i < 20000; i++) values.push(Math.exp(random() * 8) / 10); // 0.1 ms … 300 ms, heavy tail
    const sketch = emptySketch();
    for (const v of values) addValue(sketch, v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) within(quantile(sketch, q), exactQuantile(sorted, q));
  });

  it('merges minute sketches into the same percentiles as one sketch of all values', () => {
    const whole = emptySketch();
    const merged = emptySketch();
    for (let minute = 0; minute < 60; minute++) {
      const part = emptySketch();
      for (let i = 1; i <= 100; i++) {
        const v = minute * 3 + i; // each minute has a different range
        addValue(part, v);
        addValue(whole, v);
      }
      mergeInto(merged, part);
    }
    assert.equal(sketchCount(merged), 6000);
    for (const q of [0.5, 0.95, 0.99]) assert.equal(quantile(merged, q), quantile(whole, q));
  });

  it('counts zero latencies and answers null when empty', () => {
    const s = emptySketch();
    assert.equal(quantile(s, 0.5), null);
    addValue(s, 0);
    addValue(s, 0);
    addValue(s, 10);
    assert.equal(quantile(s, 0.5), 0);
    within(quantile(s, 1), 10);
  });
});
