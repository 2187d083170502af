/**
 * Target selection. Round-robin walks the list; weighted uses the smooth weighted round-robin
 * (each pick adds every weight to a running score and takes the highest), which spreads a 5:1:1
 * split as a a b a c a a rather than bursts. Targets whose circuit is open are skipped.
 */
import type { CircuitBreaker } from './circuit-breaker.ts';

export interface Balanced {
  readonly weight: number;
  readonly breaker: CircuitBreaker;
}

export interface Balancer<T extends Balanced> {
  /** The next target allowed by its breaker, not in `exclude`; null when every circuit is open. */
  pick(exclude: T | null): T | null;
}

export function createBalancer<T extends Balanced>(kind: 'round-robin' | 'weighted', targets: readonly T[]): Balancer<T> {
  return kind === 'weighted' ? new Weighted(targets) : new RoundRobin(targets);
}

class RoundRobin<T extends Balanced> implements Balancer<T> {
  #next = 0;
  readonly #targets: readonly T[];
  constructor(targets: readonly T[]) {
    this.#targets = targets;
  }
  pick(exclude: T | null): T | null {
    const list = this.#targets;
    const n = list.length;
    if (n === 1) {
      const only = list[0]!;
      return only !== exclude && only.breaker.allow(Date.now()) ? only : null;
    }
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const t = list[(this.#next + i) % n]!;
      if (t === exclude) continue;
      if (t.breaker.allow(now)) {
        this.#next = (this.#next + i + 1) % n;
        return t;
      }
    }
    return null;
  }
}

class Weighted<T extends Balanced> implements Balancer<T> {
  readonly #targets: readonly T[];
  readonly #current: number[];
  constructor(targets: readonly T[]) {
    this.#targets = targets;
    this.#current = targets.map(() => 0);
  }
  pick(exclude: T | null): T | null {
    const list = this.#targets;
    const now = Date.now();
    // canTry() does not claim a half-open trial; only the chosen target's allow() does.
    let total = 0;
    let best = -1;
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      if (t.weight <= 0 || t === exclude || !t.breaker.canTry(now)) continue;
      this.#current[i]! += t.weight;
      total += t.weight;
      if (best === -1 || this.#current[i]! > this.#current[best]!) best = i;
    }
    if (best === -1) return null;
    this.#current[best]! -= total;
    const chosen = list[best]!;
    return chosen.breaker.allow(now) ? chosen : null;
  }
}
