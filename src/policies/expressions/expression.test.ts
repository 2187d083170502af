import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCondition, compileExpression, ExpressionError, type ExpressionScope } from './index.ts';

const scope: ExpressionScope = {
  request: {
    method: 'POST',
    path: '/orders/7',
    query: { limit: '10' },
    headers: { 'x-tier': 'gold', authorization: 'Bearer abc', 'content-type': 'application/json' },
    ip: '203.0.113.9',
    body: { items: [{ sku: 'A1', qty: 2 }, { sku: 'B2', qty: 1 }], total: 12.5 },
  },
  response: { status: 201, headers: { 'content-type': 'application/json' }, body: { id: 7 } },
  consumer: { application: 'app_1', plan: 'Gold', product: 'prd_1', user: null },
  api: { id: 'api_1', name: 'Orders', version: 'v2' },
  operation: { id: 'createOrder', method: 'POST', path: '/orders/{id}' },
  claims: { sub: 'user-42', scope: 'orders:write orders:read', roles: ['buyer'], exp: 1_900_000_000 },
  vars: { region: 'eu', attempts: 3 },
};

const run = (source: string, s: ExpressionScope = scope): unknown => compileExpression(source).evaluate(s);

function throwsKind(fn: () => unknown, kind: ExpressionError['kind'], message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ExpressionError, `expected ExpressionError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('compileExpression: roots', () => {
  it('reads every root and its fields', () => {
    assert.equal(run('request.method + " " + request.path'), 'POST /orders/7');
    assert.equal(run('request.query.limit'), '10');
    assert.equal(run('request.headers["x-tier"]'), 'gold');
    assert.equal(run('request.ip'), '203.0.113.9');
    assert.equal(run('request.body.items[1].sku'), 'B2');
    assert.equal(run('response.status'), 201);
    assert.equal(run('response.headers["content-type"]'), 'application/json');
    assert.equal(run('response.body.id'), 7);
    assert.equal(run('consumer.plan'), 'Gold');
    assert.equal(run('consumer.user'), null);
    assert.equal(run('api.name + "/" + api.version'), 'Orders/v2');
    assert.equal(run('operation.id'), 'createOrder');
    assert.equal(run('claims.sub'), 'user-42');
    assert.equal(run('vars.region'), 'eu');
  });

  it('records which roots an expression uses, and only those are read', () => {
    assert.deepEqual([...compileExpression('request.headers["x-tier"] == "gold" && consumer.plan != null').uses].sort(), ['consumer', 'request', 'request.headers']);
    assert.deepEqual([...compileExpression('request.path == "/a"').uses], ['request'], 'request.path needs neither query nor headers');
    assert.deepEqual([...compileExpression('1 + 2').uses], []);
    assert.deepEqual([...compileExpression('claims.roles.exists(r, r == vars.region)').uses].sort(), ['claims', 'vars']);
    // The response is not read (nor required) by an expression that does not use it.
    assert.equal(compileExpression('request.method').evaluate({ request: scope.request! }), 'POST');
  });

  it('refuses a request for a root the caller did not provide, naming it', () => {
    throwsKind(() => run('response.status == 200', { request: scope.request! }), 'evaluation', /'response' is not available/);
  });

  it('treats an absent consumer, claims or vars as empty', () => {
    const bare: ExpressionScope = { request: scope.request! };
    assert.equal(run('consumer.plan == null', bare), true);
    assert.equal(run('has(claims.sub)', bare), false);
    assert.equal(run('"region" in vars', bare), false);
  });

  it('returns a whole root as a plain object, leaving out absent fields', () => {
    assert.deepEqual(run('consumer'), { application: 'app_1', plan: 'Gold', product: 'prd_1', user: null });
    const request = run('request', { request: { method: 'GET', path: '/', query: {}, headers: {}, ip: '::1' } });
    assert.deepEqual(request, { method: 'GET', path: '/', query: {}, headers: {}, ip: '::1' });
  });
});

describe('compileExpression: absent keys', () => {
  it('answers has(), `in` and optional selection without failing', () => {
    assert.equal(run('has(request.headers.authorization)'), true);
    assert.equal(run('has(request.headers.cookie)'), false);
    assert.equal(run('"x-a" in request.headers'), false);
    assert.equal(run('request.headers[?"x-a"].orValue("none")'), 'none');
    assert.equal(run('request.?body.orValue("empty")', { request: { ...scope.request!, body: undefined } }), 'empty');
    assert.equal(run('has(request.body)', { request: { method: 'GET', path: '/', query: {}, headers: {}, ip: '::1' } }), false);
  });

  it('fails with the missing key named and the way out suggested', () => {
    throwsKind(() => run('request.headers["x-a"] == "1"'), 'evaluation', /No such key: x-a.*has\(\)/);
    throwsKind(() => run('claims.tenant == "t1"'), 'evaluation', /No such key: tenant/);
  });
});

describe('compileExpression: values', () => {
  it('returns integers as numbers when safe and as decimal strings beyond', () => {
    assert.equal(run('40 + 2'), 42);
    assert.equal(typeof run('40 + 2'), 'number');
    assert.equal(run('9007199254740993'), '9007199254740993');
    assert.equal(run('-9007199254740993'), '-9007199254740993');
    assert.equal(run('7u'), 7);
    assert.deepEqual(run('[1, 2, 3].map(x, x * 2)'), [2, 4, 6]);
    assert.deepEqual(run('{"a": 1, "b": [2]}'), { a: 1, b: [2] });
  });

  it('does integer arithmetic on response.status (a CEL int)', () => {
    assert.equal(run('response.status + 1'), 202);
    assert.equal(run('response.status in [200, 201, 204]'), true);
  });

  it('treats JSON numbers as doubles, comparable with integers', () => {
    assert.equal(run('request.body.total > 12'), true);
    assert.equal(run('claims.exp == 1900000000'), true);
    assert.equal(run('request.body.items.map(i, i.qty).size()'), 2);
  });

  it('unwraps optionals, and renders timestamps and durations as text', () => {
    assert.equal(run('optional.of("x")'), 'x');
    assert.equal(run('optional.none()'), null);
    assert.equal(run('timestamp("2024-01-01T00:00:00Z")'), '2024-01-01T00:00:00.000Z');
    assert.equal(run('duration("1h")'), '3600s');
  });

  it('offers the CEL string functions', () => {
    assert.equal(run('request.headers.authorization.startsWith("Bearer ")'), true);
    assert.equal(run('request.path.endsWith("/7")'), true);
    assert.equal(run('claims.scope.contains("orders:write")'), true);
    assert.equal(run('request.path.matches("^/orders/[0-9]+$")'), true);
    assert.equal(run('request.path.matches("^/users/")'), false);
    assert.equal(run('size(request.path)'), 9);
    assert.equal(run('request.path.size()'), 9);
    assert.equal(run('request.headers["x-tier"].upperAscii()'), 'GOLD');
    assert.deepEqual(run('claims.scope.split(" ")'), ['orders:write', 'orders:read']);
    assert.equal(run('request.path.substring(1, 7)'), 'orders');
  });

  it('offers the macros and cel.bind', () => {
    assert.equal(run('request.body.items.all(i, i.qty > 0)'), true);
    assert.equal(run('request.body.items.exists_one(i, i.sku == "A1")'), true);
    assert.deepEqual(run('request.body.items.filter(i, i.qty > 1).map(i, i.sku)'), ['A1']);
    assert.equal(run('cel.bind(t, request.headers["x-tier"], t == "gold" || t == "silver")'), true);
  });
});

describe('compileExpression: compile-time errors', () => {
  it('reports a syntax error with its position', () => {
    assert.throws(
      () => compileExpression('request.method == '),
      (error: unknown) => error instanceof ExpressionError && error.kind === 'syntax' && error.position === 18 && error.column === 19,
    );
    throwsKind(() => compileExpression('   '), 'syntax', /empty/);
  });

  it('refuses names outside the roots, context included', () => {
    throwsKind(() => compileExpression('context.requestId'), 'reference', /unknown name 'context'.*request, response, consumer, api, operation, claims, vars/);
    throwsKind(() => compileExpression('headers["x"]'), 'reference', /'headers'/);
  });

  it('refuses misspelled fields of the typed roots', () => {
    throwsKind(() => compileExpression('request.header["x-tier"]'), 'reference', /No such key: header/);
    throwsKind(() => compileExpression('consumer.plna == "Gold"'), 'reference', /plna/);
  });

  it('refuses type mismatches known before any request', () => {
    throwsKind(() => compileExpression('request.method == 1'), 'type');
    throwsKind(() => compileExpression('"a" + 1'), 'type');
  });

  it('refuses the budget probe as an unknown function', () => {
    throwsKind(() => compileExpression('portico_meter(0)'), 'type', /no matching overload/);
  });
});

describe('compileCondition', () => {
  const condition = (source: string, s: ExpressionScope = scope): boolean => compileCondition(source).test(s);

  it('is true only for true', () => {
    assert.equal(condition('request.headers["x-tier"] == "gold" && consumer.plan != null'), true);
    assert.equal(condition('request.method == "GET"'), false);
    assert.equal(condition('claims.roles.exists(r, r == "buyer")'), true);
  });

  it('refuses at compile time an expression that cannot be a boolean', () => {
    throwsKind(() => compileCondition('request.method'), 'type', /must be true or false.*string/);
    throwsKind(() => compileCondition('1 + 1'), 'type', /int/);
  });

  it('fails, rather than answering false, on a non-boolean result or a failure', () => {
    throwsKind(() => condition('claims.sub'), 'evaluation', /must be true or false.*a string/);
    throwsKind(() => condition('vars.attempts'), 'evaluation', /a number/);
    throwsKind(() => condition('request.headers["x-missing"] == "1"'), 'evaluation', /No such key: x-missing/);
  });

  it('answers true when an error is absorbed by CEL logic (error || true)', () => {
    assert.equal(condition('request.headers["x-missing"] == "1" || true'), true);
  });
});
