/**
 * A mergeable quantile sketch with relative-error guarantees (the DDSketch idea: logarithmic
 * buckets). Every value v > 0 falls in bucket ceil(log_γ v) with γ = (1+α)/(1-α); the bucket's
 * representative is within α of every value in it. Two sketches merge by adding bucket counts, so
 * roll-ups of minutes into hours into days keep exact-to-α percentiles — never an average of averages.
 */
export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) count as zero: sub-microsecond latencies are noise. */
const MIN_VALUE = 1e-3;

/** Bucket index → count; plus the count of values ≤ MIN_VALUE. JSON-serialisable as is. */
export interface Sketch {
  zero: number;
  buckets: Record<string, number>;
}

export function emptySketch(): Sketch {
  return { zero: 0, buckets: {} };
}

export function addValue(sketch: Sketch, value: number, count = 1): void {
  if (!(value > MIN_VALUE)) {
    sketch.zero += count;
    return;
  }
  const index = Math.ceil(Math.log(value) / LOG_GAMMA);
  sketch.buckets[index] = (sketch.buckets[index] ?? 0) + count;
}

export function mergeInto(target: Sketch, source: Sketch): void {
  target.zero += source.zero;
  for (const [index, count] of Object.entries(source.buckets)) target.buckets[index] = (target.buckets[index] ?? 0) + count;
}

export function sketchCount(sketch: Sketch): number {
  let n = sketch.zero;
  for (const count of Object.values(sketch.buckets)) n += count;
  return n;
}

/**
 * The q-quantile (0 ≤ q ≤ 1): the value of rank ⌊q·(n−1)⌋ among the n values (lower nearest rank),
 * within RELATIVE_ACCURACY; null for an empty sketch.
 */
export function quantile(sketch: Sketch, q: number): number | null {
  const total = sketchCount(sketch);
  if (total === 0) return null;
  const rank = q * (total - 1);
  if (rank < sketch.zero) return 0;
  let seen = sketch.zero;
  const indexes = Object.keys(sketch.buckets)
    .map(Number)
    .sort((a, b) => a - b);
  for (const index of indexes) {
    seen += sketch.buckets[index]!;
    if (seen > rank) return (2 * GAMMA ** index) / (GAMMA + 1);
  }
  const last = indexes.at(-1)!;
  return (2 * GAMMA ** last) / (GAMMA + 1);
}
