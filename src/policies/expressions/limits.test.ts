import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCondition, compileExpression, ExpressionError, LIMITS, type ExpressionScope } from './index.ts';

function throwsKind(fn: () => unknown, kind: ExpressionError['kind'], message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ExpressionError, `expected ExpressionError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const list = (n: number): string => `[${Array.from({ length: n }, (_, i) => i).join(', ')}]`;
const withBody = (body: unknown, headers: Record<string, string> = {}): ExpressionScope => ({
  request: { method: 'POST', path: '/', query: {}, headers, ip: '::1', body },
});

describe('structural limits at compile time', () => {
  it('refuses a source longer than the limit', () => {
    throwsKind(() => compileExpression(`"${'a'.repeat(LIMITS.maxSourceLength)}"`), 'limit', /at most 4096 characters/);
  });

  it('refuses an expression of 10,000 nodes, and one just over the node limit', () => {
    throwsKind(() => compileExpression(Array.from({ length: 10_000 }, () => '1').join('+')), 'limit');
    throwsKind(() => compileExpression(Array.from({ length: LIMITS.maxAstNodes + 1 }, () => '1').join('+')), 'limit', /maxAstNodes/);
    assert.equal(compileExpression(Array.from({ length: 400 }, () => '1').join('+')).evaluate({}), 400);
  });

  it('refuses deep nesting and long literals', () => {
    throwsKind(() => compileExpression(`${'['.repeat(LIMITS.maxDepth + 1)}${']'.repeat(LIMITS.maxDepth + 1)}`), 'limit', /maxDepth/);
    throwsKind(() => compileExpression(list(LIMITS.maxListElements + 1)), 'limit', /maxListElements/);
    const entries = Array.from({ length: LIMITS.maxMapEntries + 1 }, (_, i) => `"k${i}": ${i}`).join(', ');
    throwsKind(() => compileExpression(`{${entries}}`), 'limit', /maxMapEntries/);
  });
});

describe('evaluation budget', () => {
  it('stops nested comprehensions over literal lists (a million steps)', () => {
    const hostile = compileExpression(`${list(100)}.map(a, ${list(100)}.map(b, ${list(100)}.exists(c, c == -1)))`);
    throwsKind(() => hostile.evaluate({}), 'limit', /budget/);
  });

  it('stops a quadratic comprehension over request data', () => {
    const items = Array.from({ length: 2_000 }, (_, i) => i);
    const hostile = compileCondition('request.body.all(a, request.body.all(b, a != b + 5000.0))');
    throwsKind(() => hostile.test(withBody(items)), 'limit', /budget/);
    // The same expression over a small body is fine.
    assert.equal(hostile.test(withBody([1, 2, 3])), true);
  });

  it('stops per-character iteration over a large body', () => {
    const hostile = compileCondition('request.body.split("").exists(c, c == "z")');
    throwsKind(() => hostile.test(withBody('a'.repeat(200_000))), 'limit', /budget/);
  });

  it('stops repeated walks of a large list or map', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => i);
    throwsKind(() => compileCondition(`${list(128)}.exists(a, -1.0 in request.body)`).test(withBody(items)), 'limit', /budget/);
    const keys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    throwsKind(() => compileCondition(`${list(128)}.exists(a, size(request.body) == 0)`).test(withBody(keys)), 'limit', /budget/);
    throwsKind(() => compileCondition(`${list(128)}.exists(a, request.body.split("").size() == 0)`).test(withBody('a'.repeat(100_000))), 'limit', /budget/);
  });

  it('leaves room for comprehensions over a few thousand items', () => {
    const items = Array.from({ length: 3_000 }, (_, i) => ({ qty: i }));
    assert.equal(compileExpression('request.body.filter(i, i.qty >= 1000.0).map(i, i.qty * 2.0).size()').evaluate(withBody(items)), 2_000);
  });

  it('stops string amplification by repeated doubling', () => {
    // 14 doublings of 64 KiB would be 1 GiB; nesting deeper is refused by maxDepth.
    let source = 'request.body';
    for (let i = 0; i < 14; i++) source = `cel.bind(s${i}, ${source}, s${i} + s${i})`;
    throwsKind(() => compileExpression(`size(${source})`).evaluate(withBody('x'.repeat(65_536))), 'limit', /budget/);
  });

  it('stops string amplification by joining repeated copies', () => {
    const hostile = compileExpression(`${list(128)}.map(a, ${list(128)}.map(b, request.body).join()).join().size()`);
    throwsKind(() => hostile.evaluate(withBody('x'.repeat(65_536))), 'limit', /budget/);
  });

  it('is not escaped by an error-absorbing || or exists()', () => {
    const hostile = compileCondition(`${list(100)}.exists(a, ${list(100)}.exists(b, ${list(100)}.exists(c, c == -1))) || true`);
    throwsKind(() => hostile.test({}), 'limit', /budget/);
  });

  it('starts afresh for every evaluation', () => {
    const heavy = compileExpression(`${list(100)}.map(a, ${list(100)}.filter(b, b == a)).size()`);
    for (let i = 0; i < 5; i++) assert.equal(heavy.evaluate({}), 100);
  });
});

describe('matches()', () => {
  it('answers a catastrophic-backtracking pattern promptly (linear-time engine)', () => {
    // On a backtracking engine each of these takes hours.
    const nested = compileCondition('request.headers["x"].matches("^(a+)+$")');
    assert.equal(nested.test(withBody(null, { x: `${'a'.repeat(50_000)}!` })), false);
    const polynomial = compileCondition('request.headers["x"].matches(".*a.*b.*c")');
    assert.equal(polynomial.test(withBody(null, { x: 'a'.repeat(20_000) })), false);
  });

  it('requires a literal pattern', () => {
    throwsKind(() => compileExpression('request.path.matches(request.headers["x-pattern"])'), 'syntax', /string literal/);
  });

  it('refuses patterns that need backtracking, and invalid ones, at compile time', () => {
    throwsKind(() => compileExpression('request.path.matches("(a)\\\\1")'), 'syntax', /backtracking/);
    throwsKind(() => compileExpression('request.path.matches("a(?=b)")'), 'syntax', /backtracking/);
    throwsKind(() => compileExpression('request.path.matches("[a-f0-9]{32}")'), 'syntax', /backtracking/);
    throwsKind(() => compileExpression('request.path.matches("(")'), 'syntax', /not a valid regular expression/);
    assert.equal(compileExpression('request.path.matches("^[a-f0-9]{16}[a-f0-9]{16}$")').evaluate(withBody(null)), false);
  });

  it('points at the pattern in the error', () => {
    assert.throws(
      () => compileExpression('request.path.matches("(a)\\\\1")'),
      (error: unknown) => error instanceof ExpressionError && error.position === 21,
    );
  });

  it('fails on a non-string subject at run time', () => {
    throwsKind(() => compileExpression('request.body.matches("a")').evaluate(withBody(5)), 'evaluation', /needs a string, got number/);
  });
});
