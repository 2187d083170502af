/**
 * The evaluation budget (LIMITS.evaluationBudget). cel-js has no cost tracking (cel-go has
 * `CostLimit`), so we meter its evaluator: every child node is evaluated through `evaluator.run`,
 * comprehension steps included, and we replace that method on our environment's evaluator with a
 * counting one. `tryEval` (how `exists()`, `all()`, `||` and `&&` absorb a failing operand) is
 * wrapped so that running out cannot be absorbed. The evaluator is private to the Environment; a
 * macro is the one public hook that receives it, so we register one, evaluate it once to capture
 * the evaluator, then make it unusable. Written against cel-js 8.0.0 (pinned); limits.test.ts
 * fails if an upgrade moves these hooks.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { ExpressionError } from './errors.ts';
import { LIMITS } from './limits.ts';

interface Evaluable {
  /** cel-js's operator name; `accuPush`/`accuValue` are the steps of a comprehension's list. */
  readonly op: string;
  evaluate(evaluator: Evaluator, node: Evaluable, ctx: unknown): unknown;
}
interface Evaluator {
  run(node: Evaluable, ctx: unknown): unknown;
  tryEval(node: Evaluable, ctx: unknown): unknown;
}

const PROBE = 'portico_meter';
/** Thrown by every step once the budget is spent: one instance, no stack trace captured each time. */
const EXHAUSTED = new Error('evaluation budget exhausted');

let remaining = 0;
/** The list a comprehension is building: yielded again at every step, charged by its steps instead. */
let accumulator: unknown;
/** Key counts of plain objects (request bodies are not changed once parsed). */
const keyCounts = new WeakMap<object, number>();

/** Spends units from the running evaluation's budget; throws when it is spent. */
export function charge(units: number): void {
  remaining -= units;
  if (remaining < 0) throw EXHAUSTED;
}

/**
 * One unit per node; a node that yields a large value pays for its size too, every time, because
 * what consumes it (`contains`, `size` of a map, `==`, `in`, `split`) may walk all of it: one unit
 * per KiB of a string or bytes, one per 16 items of a list or Map, one per 4 keys of a plain
 * object (enumerating an object's keys is several times slower than walking a list).
 */
function meteredRun(this: Evaluator, node: Evaluable, ctx: unknown): unknown {
  if (--remaining < 0) throw EXHAUSTED;
  const value = node.evaluate(this, node, ctx);
  if (typeof value === 'string') {
    if (value.length >= 1024) remaining -= value.length >>> 10;
  } else if (typeof value === 'object' && value !== null) {
    if (node.op === 'accuPush' || node.op === 'accuValue') accumulator = value;
    else if (value !== accumulator) remaining -= sizeOf(value);
  }
  return value;
}

function sizeOf(value: object): number {
  if (Array.isArray(value)) return value.length >>> 4;
  if (value instanceof Map) return value.size >>> 4;
  if (ArrayBuffer.isView(value)) return value.byteLength >>> 10;
  let keys = keyCounts.get(value);
  if (keys === undefined) keyCounts.set(value, (keys = Object.keys(value).length));
  return keys >>> 2;
}

/** Installs the meter on `env`; call once, right after registering its variables. */
export function meter(env: Environment): void {
  let evaluator: Evaluator | undefined;
  let armed = false;
  env.registerFunction(`${PROBE}(ast): bool`, () => ({
    typeCheck(checker: { getType(name: string): unknown }) {
      if (armed) throw new Error(`found no matching overload for '${PROBE}'`);
      return checker.getType('bool');
    },
    evaluate(ev: Evaluator) {
      evaluator = ev;
      return true;
    },
  }));
  env.evaluate(`${PROBE}(0)`);
  armed = true;
  if (!evaluator || typeof evaluator.run !== 'function' || typeof evaluator.tryEval !== 'function') {
    throw new Error('cel-js evaluator hooks not found: the evaluation budget cannot be enforced');
  }
  const tryEval = evaluator.tryEval;
  evaluator.run = meteredRun;
  evaluator.tryEval = function meteredTryEval(this: Evaluator, node: Evaluable, ctx: unknown): unknown {
    const result = tryEval.call(this, node, ctx);
    if (result === EXHAUSTED) throw EXHAUSTED;
    return result;
  };
}

/**
 * Runs one evaluation with a fresh budget. The overrun is judged by the counter, not only by the
 * error reaching us, in case some path of CEL's error absorption (`.?`, `orValue`) swallows it.
 */
export function metered<T>(run: () => T): T {
  remaining = LIMITS.evaluationBudget;
  accumulator = undefined;
  let value: T;
  try {
    value = run();
  } catch (error) {
    if (remaining < 0) throw exhausted();
    throw error;
  }
  if (remaining < 0) throw exhausted();
  return value;
}

function exhausted(): ExpressionError {
  return new ExpressionError('limit', `evaluation exceeded its budget of ${LIMITS.evaluationBudget} steps (a comprehension over large data, or very large strings or lists)`);
}
