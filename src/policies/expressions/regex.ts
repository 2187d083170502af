/**
 * `matches()` on a linear-time engine. CEL specifies RE2 (linear time); cel-js runs the pattern on
 * JavaScript's backtracking engine, where `".*a.*b.*c"` against a 5,000-character header took 71 s
 * in our measurement. V8 has an RE2-like automaton behind the `l` flag, legal only once the V8 flag
 * `--enable-experimental-regexp-engine` is set; setting it makes the flag legal and changes nothing
 * for other regular expressions. Patterns must be literals, so each is checked and compiled once;
 * the engine refuses what it cannot run in linear time (backreferences, lookaround, counted
 * repetition above 16) and we report that as a compile error; JavaScript has no inline `(?i)`.
 * The node's evaluator is replaced through cel-js's `setMeta('evaluate')` (8.0.0, pinned).
 */
import { setFlagsFromString } from 'node:v8';
import type { CelNode } from './ast.ts';
import { charge } from './budget.ts';
import type { ExpressionError, ExpressionErrorKind } from './errors.ts';

/** Builds an error located in the expression's text (expression.ts knows the template offset). */
export type Fail = (kind: ExpressionErrorKind, message: string, position: number) => ExpressionError;

/** V8's flag for its linear-time engine (https://v8.dev/blog/non-backtracking-regexp). */
const LINEAR = 'l';

function linearEngineAvailable(): boolean {
  try {
    new RegExp('', LINEAR);
    return true;
  } catch {
    return false;
  }
}

function enableLinearEngine(): boolean {
  if (linearEngineAvailable()) return true;
  setFlagsFromString('--enable-experimental-regexp-engine');
  return linearEngineAvailable();
}

const available = enableLinearEngine();

/**
 * Compiles `pattern` on the linear-time engine (policies matching bodies or paths share it, so a
 * configured pattern can never backtrack catastrophically). `flags` may be `g`, `m`, `s`, `y`:
 * V8 11's linear engine refuses `i` and `u`. Throws an Error saying why a pattern cannot be used.
 */
export function linearRegExp(pattern: string, flags = ''): RegExp {
  if (!available) throw new Error('this Node.js has no linear-time regular expression engine');
  try {
    return new RegExp(pattern, flags + LINEAR);
  } catch (error) {
    throw new Error(
      (error as Error).message.includes('linear time')
        ? 'it needs backtracking (backreferences, lookaround, counted repetition above {16}) — write it without'
        : 'it is not a valid regular expression',
    );
  }
}

interface Evaluator {
  run(node: unknown, ctx: unknown): unknown;
}

/** Checks a `matches()` call and makes it run `pattern` on the linear engine. */
export function compileMatches(node: CelNode, fail: Fail): void {
  const [, receiver, args] = node.args as [string, CelNode, CelNode[]];
  const patternNode = args[0];
  if (!patternNode || patternNode.op !== 'value' || typeof patternNode.args !== 'string') {
    throw fail('syntax', 'matches() takes a string literal as its pattern, so it can be checked once', patternNode?.start ?? node.start);
  }
  const pattern = patternNode.args;
  let regex: RegExp;
  try {
    regex = linearRegExp(pattern);
  } catch (error) {
    throw fail('syntax', `matches() cannot use the pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`, patternNode.start);
  }
  const perCharacter = costPerCharacter(pattern);
  node.setMeta('evaluate', (evaluator: Evaluator, _node: unknown, ctx: unknown): boolean => {
    const subject = evaluator.run(receiver, ctx);
    if (typeof subject !== 'string') {
      throw fail('evaluation', `matches() needs a string, got ${subject === null ? 'null' : typeof subject}`, node.start);
    }
    charge(Math.ceil(subject.length * perCharacter));
    return regex.test(subject);
  });
}

/**
 * Budget units per subject character, charged before matching. The linear engine's time grows
 * with the pattern's expanded size (`x{16}` is sixteen x's): on V8 11.3 about 0.1 µs per character
 * for `z`, 0.7 µs for `.*a.*b.*c`, 36 µs for four `[a-f0-9]{16}`; a unit is about 0.5 µs.
 */
function costPerCharacter(pattern: string): number {
  let widest = 1;
  for (const m of pattern.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) widest = Math.max(widest, Number(m[2] || m[1]));
  return (pattern.length * widest) / 8;
}
