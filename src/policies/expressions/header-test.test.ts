import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCondition, ExpressionError, type ExpressionScope } from './index.ts';

const scopeWith = (headers: Record<string, string>): ExpressionScope => ({ request: { method: 'GET', path: '/', query: {}, headers, ip: '127.0.0.1' } });
const lookup = (headers: Record<string, string>) => ({ get: (name: string) => headers[name.toLowerCase()] });

/** What the full CEL evaluation answers: a boolean, or the failure's kind. */
function full(source: string, headers: Record<string, string>): boolean | string {
  try {
    return compileCondition(source).test(scopeWith(headers));
  } catch (error) {
    assert.ok(error instanceof ExpressionError);
    return error.kind;
  }
}

const SHORTCUT = [
  '"x-debug" in request.headers',
  '!("x-debug" in request.headers)',
  'request.headers["x-tier"] == "gold"',
  '"gold" == request.headers["x-tier"]',
  'request.headers["x-tier"] != "gold"',
  '!(request.headers["x-tier"] == "gold")',
];
const HEADER_SETS: Record<string, string>[] = [{}, { 'x-debug': '1' }, { 'x-tier': 'gold' }, { 'x-tier': 'silver', 'x-debug': '' }, { 'x-tier': 'Gold' }];

describe('conditions on one request header', () => {
  it('are answered from the headers exactly as CEL answers them, and left to CEL where it fails', () => {
    for (const source of SHORTCUT) {
      const c = compileCondition(source);
      assert.ok(c.headerTest !== null, `${source} has a shortcut`);
      for (const headers of HEADER_SETS) {
        const quick = c.headerTest(lookup(headers));
        const expected = full(source, headers);
        // A missing compared header is CEL's no_such_key: the shortcut declines, CEL fails.
        if (quick === undefined) assert.equal(expected, 'evaluation', `${source} on ${JSON.stringify(headers)}`);
        else assert.equal(quick, expected, `${source} on ${JSON.stringify(headers)}`);
      }
    }
  });

  it('are not shortcut when the name cannot be a key of the lower-case record, or the form is another', () => {
    for (const source of ['"X-Debug" in request.headers', 'request.headers["X-Tier"] == "gold"', '"x" in request.query', 'request.headers["a"] == request.headers["b"]', 'request.method == "GET"', '"a" in request.headers && true']) {
      assert.equal(compileCondition(source).headerTest, null, source);
    }
    // and such conditions keep CEL's answer: the record's keys are lower case
    assert.equal(full('"X-Debug" in request.headers', { 'x-debug': '1' }), false);
  });
});
