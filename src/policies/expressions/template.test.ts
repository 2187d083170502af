import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { compileTemplate, ExpressionError, type ExpressionScope } from './index.ts';

const SECRET = 's3cr3t-v4lue';
const named = new Map([
  ['backendSecret', SECRET],
  ['svc.user', 'portico'],
]);
const scope: ExpressionScope = {
  request: { method: 'GET', path: '/a', query: {}, headers: { 'x-tier': 'gold' }, ip: '::1' },
  consumer: { application: 'app_1', plan: null, product: null, user: null },
  claims: { sub: 'u1', n: 3, big: 2 ** 60, roles: ['a', 'b'], ok: true },
  vars: { token: 'tok-1' },
};

function throwsKind(fn: () => unknown, kind: ExpressionError['kind'], message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ExpressionError, `expected ExpressionError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('compileTemplate', () => {
  it('is a constant without {{', () => {
    const t = compileTemplate('application/json', named);
    assert.equal(t.constant, 'application/json');
    assert.equal(t.uses.size, 0);
    assert.equal(t.render({}), 'application/json');
    assert.equal(compileTemplate('', named).constant, '');
  });

  it('renders expressions per request', () => {
    const t = compileTemplate('Bearer {{vars.token}}', named);
    assert.equal(t.constant, null);
    assert.deepEqual([...t.uses], ['vars']);
    assert.equal(t.render(scope), 'Bearer tok-1');
    assert.equal(t.render({ ...scope, vars: { token: 'tok-2' } }), 'Bearer tok-2');
    assert.equal(compileTemplate('{{ request.method }} {{request.path}}!', named).render(scope), 'GET /a!');
  });

  it('stringifies numbers, booleans, lists, maps and null', () => {
    const render = (source: string): string => compileTemplate(source, named).render(scope);
    assert.equal(render('n={{claims.n}}'), 'n=3');
    assert.equal(render('{{1 + 2}}'), '3');
    assert.equal(render('{{claims.big}}'), String(2 ** 60));
    assert.equal(render('{{9007199254740993}}'), '9007199254740993');
    assert.equal(render('{{claims.ok}}'), 'true');
    assert.equal(render('{{claims.roles}}'), '["a","b"]');
    assert.equal(render('{{ {"sub": claims.sub, "n": 1} }}'), '{"sub":"u1","n":1}');
    assert.equal(render('[{{consumer.plan}}]'), '[]');
  });

  it('substitutes named values at compile time, as constants', () => {
    const t = compileTemplate('{{backendSecret}}', named);
    assert.equal(t.constant, SECRET);
    assert.equal(t.render({}), SECRET);
    assert.equal(compileTemplate('Basic {{ svc.user }}:{{backendSecret}}', named).constant, `Basic portico:${SECRET}`);
    const mixed = compileTemplate('{{backendSecret}}/{{claims.sub}}', named);
    assert.equal(mixed.constant, null);
    assert.equal(mixed.render(scope), `${SECRET}/u1`);
  });

  it('never shows a named value when printed, serialized or inspected', () => {
    for (const t of [compileTemplate('Bearer {{backendSecret}}', named), compileTemplate('{{backendSecret}}-{{claims.sub}}', named)]) {
      for (const shown of [t.describe(), String(t), `${t}`, JSON.stringify(t), JSON.stringify({ t }), inspect(t), inspect({ t }, { depth: 5 }), t.source, Object.keys(t).join()]) {
        assert.ok(!shown.includes(SECRET), shown);
      }
      assert.match(t.describe(), /\{\{backendSecret\}\}/);
    }
  });

  it('refuses a name that is neither a named value nor a valid expression', () => {
    throwsKind(() => compileTemplate('Bearer {{backendSecrte}}', named), 'reference', /unknown named value or invalid expression \{\{backendSecrte\}\}/);
    throwsKind(() => compileTemplate('{{request.header}}', named), 'reference', /unknown named value or invalid expression.*No such key: header/);
  });

  it('reports expression errors at their position in the template', () => {
    assert.throws(
      () => compileTemplate('x-{{request.method ==}}', named),
      (error: unknown) => error instanceof ExpressionError && error.kind === 'syntax' && error.position === 21,
    );
    throwsKind(() => compileTemplate('a {{ claims.sub', named), 'syntax', /unterminated \{\{/);
    throwsKind(() => compileTemplate('{{}}', named), 'syntax', /empty/);
  });

  it('writes \\{{ as a literal {{', () => {
    const t = compileTemplate('\\{{vars.token}} is {{vars.token}}', named);
    assert.equal(t.render(scope), '{{vars.token}} is tok-1');
    assert.equal(compileTemplate('\\{{backendSecret}}', named).constant, '{{backendSecret}}');
    assert.equal(compileTemplate('a \\{{ b', named).constant, 'a {{ b');
    // A backslash wanted right before an expression is written as a CEL string.
    assert.equal(compileTemplate('{{"\\\\"}}{{vars.token}}', named).render(scope), '\\tok-1');
  });

  it('fails at render time like an expression', () => {
    throwsKind(() => compileTemplate('{{request.headers["x-missing"]}}', named).render(scope), 'evaluation', /No such key: x-missing/);
  });
});
