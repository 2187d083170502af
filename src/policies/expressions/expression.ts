/**
 * Compiles CEL expressions once (per snapshot) into closures the gateway calls per request.
 * Compile time refuses what would fail for every request: syntax, unknown names and fields, type
 * mismatches, oversized sources and unsafe patterns. Run time answers plain JavaScript values and
 * reports every failure as an ExpressionError naming what was missing. The language, the roots and
 * the limits are documented for users in docs/expressions.md.
 */
import { type ParseResult } from '@marcbachmann/cel-js';
import { walk, type CelNode } from './ast.ts';
import { metered } from './budget.ts';
import { environment, ROOTS, type Root } from './environment.ts';
import { ExpressionError, type ExpressionErrorKind } from './errors.ts';
import { headerTest, type HeaderTest } from './header-test.ts';
import { LIMITS } from './limits.ts';
import { compileMatches } from './regex.ts';
import { toPlain } from './values.ts';

export type { Root };

/**
 * What an expression reads: its roots, plus `request.query` / `request.headers` when it reads those
 * fields of `request` (or `request` as a whole), so the scope builds them only then.
 */
export type Use = Root | 'request.query' | 'request.headers';

export interface RequestScope {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly ip: string;
  /** Parsed JSON, or the text, when the body was buffered; absent otherwise. */
  readonly body?: unknown;
}

export interface ResponseScope {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface ConsumerScope {
  readonly application: string | null;
  readonly plan: string | null;
  readonly product: string | null;
  readonly user: string | null;
}

/** What an expression may read; the engine fills the roots in `uses` (see `activation`). */
export interface ExpressionScope {
  readonly request?: RequestScope;
  readonly response?: ResponseScope;
  readonly consumer?: ConsumerScope;
  readonly api?: { readonly id: string; readonly name: string; readonly version: string | null };
  readonly operation?: { readonly id: string | null; readonly method: string; readonly path: string };
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly vars?: Readonly<Record<string, unknown>>;
}

export interface CompiledExpression {
  readonly source: string;
  /** What the expression reads: build only these per request. */
  readonly uses: ReadonlySet<Use>;
  /** The result as plain JavaScript (see values.ts); throws ExpressionError. */
  evaluate(scope: ExpressionScope): unknown;
}

export interface CompiledCondition {
  readonly source: string;
  readonly uses: ReadonlySet<Use>;
  /** True for `true`, false for `false`; anything else, or a failure, throws ExpressionError. */
  test(scope: ExpressionScope): boolean;
  /** For a test of one request header: answers from the headers alone (see header-test.ts). */
  readonly headerTest: HeaderTest | null;
}

/** Where a source sits in a larger text (a template), so positions point into that text. */
export interface Placement {
  readonly text: string;
  readonly offset: number;
}

interface Compiled {
  readonly ast: CelNode;
  readonly uses: ReadonlySet<Use>;
  /** The CEL result type as cel-js infers it: `bool`, `string`, `dyn`, … */
  readonly type: string;
  run(scope: ExpressionScope): unknown;
}

const ROOT_SET: ReadonlySet<string> = new Set(ROOTS);
const NO_CONSUMER: ConsumerScope = Object.freeze({ application: null, plan: null, product: null, user: null });
const EMPTY = Object.freeze({});

export function compileExpression(source: string): CompiledExpression {
  const { uses, run } = compile(source);
  return { source, uses, evaluate: (scope) => toPlain(run(scope)) };
}

export function compileCondition(source: string): CompiledCondition {
  const { ast, uses, type, run } = compile(source);
  if (type !== 'bool' && type !== 'dyn') {
    throw new ExpressionError('type', `a condition must be true or false, but this expression gives ${type}`, { source, position: 0 });
  }
  return {
    source,
    uses,
    headerTest: headerTest(ast),
    test(scope) {
      const value = run(scope);
      if (typeof value === 'boolean') return value;
      throw new ExpressionError('evaluation', `a condition must be true or false, but this request gave ${describe(value)}`);
    },
  };
}

/** Compiles `source`; errors locate themselves in `placement.text` when given. */
export function compile(source: string, placement?: Placement): Compiled {
  const text = placement?.text ?? source;
  const offset = placement?.offset ?? 0;
  const fail = (kind: ExpressionErrorKind, message: string, position: number | undefined, cause?: unknown): ExpressionError =>
    new ExpressionError(kind, message, position === undefined ? undefined : { source: text, position: offset + position }, cause === undefined ? undefined : { cause });

  if (typeof source !== 'string') throw fail('syntax', 'an expression must be a string', undefined);
  if (source.length > LIMITS.maxSourceLength) throw fail('limit', `an expression may have at most ${LIMITS.maxSourceLength} characters; this one has ${source.length}`, undefined);
  if (source.trim() === '') throw fail('syntax', 'the expression is empty', 0);

  let parsed: ParseResult;
  try {
    parsed = environment.parse(source);
  } catch (error) {
    const e = celError(error);
    throw fail(e.code === 'limit_exceeded' ? 'limit' : 'syntax', e.summary, e.position, error);
  }
  const checked = parsed.check();
  if (!checked.valid) {
    const e = celError(checked.error);
    const unknown = /^Unknown variable: (.+)$/.exec(e.summary);
    if (unknown) throw fail('reference', `unknown name '${unknown[1]}': expressions read ${ROOTS.join(', ')}`, e.position, checked.error);
    throw fail(/^No such key: /.test(e.summary) ? 'reference' : 'type', e.summary, e.position, checked.error);
  }

  const uses = new Set<Use>();
  /** `request` identifiers that are the object of a field selection (`request.path`). */
  const selected = new Set<CelNode>();
  walk(parsed.ast as unknown as CelNode, (node) => {
    if (node.op === 'id' && ROOT_SET.has(node.args as string)) {
      uses.add(node.args as Root);
      if (node.args === 'request' && !selected.has(node)) uses.add('request.query').add('request.headers');
    } else if (node.op === '.' || node.op === '.?') {
      const [object, field] = node.args as [CelNode, string];
      if (object.op === 'id' && object.args === 'request') {
        selected.add(object);
        if (field === 'query' || field === 'headers') uses.add(`request.${field}`);
      }
    } else if (node.op === 'rcall' && (node.args as unknown[])[0] === 'matches') compileMatches(node, fail);
  });
  const roots = [...uses].filter((u): u is Root => ROOT_SET.has(u));

  const type = checked.type ?? 'dyn';
  const ast = parsed.ast as unknown as CelNode;
  const field = plainRequestField(ast);
  if (field !== null) {
    // `request.path` and its kind are read as they are: nothing to meter, no activation to build.
    return {
      ast,
      uses,
      type,
      run(scope) {
        if (!scope.request) throw unavailable('request');
        return scope.request[field];
      },
    };
  }
  return {
    ast,
    uses,
    type,
    run(scope) {
      const context = activation(roots, scope);
      try {
        return metered(() => parsed(context));
      } catch (error) {
        if (error instanceof ExpressionError) throw error;
        const e = celError(error);
        const hint = e.code === 'no_such_key' ? '; test for a key that may be absent with has(), `in` or `.?`' : '';
        throw fail('evaluation', e.summary + hint, e.position, error);
      }
    },
  };
}

/** `method`, `path` or `ip` when the whole expression is `request.<that>` (always a string), else null. */
function plainRequestField(node: CelNode): 'method' | 'path' | 'ip' | null {
  if (node.op !== '.') return null;
  const [object, field] = node.args as [CelNode, string];
  if (object.op !== 'id' || object.args !== 'request') return null;
  return field === 'method' || field === 'path' || field === 'ip' ? field : null;
}

/** The roots `uses` names, from the scope; consumer, claims and vars default to empty. */
function activation(roots: readonly Root[], scope: ExpressionScope): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const root of roots) {
    switch (root) {
      case 'consumer':
        context.consumer = scope.consumer ?? NO_CONSUMER;
        break;
      case 'claims':
      case 'vars':
        context[root] = scope[root] ?? EMPTY;
        break;
      case 'response':
        if (!scope.response) throw unavailable(root);
        // CEL integers are BigInt; `response.status + 1` and `== 200` then behave as CEL says.
        context.response = { ...scope.response, status: BigInt(Math.trunc(scope.response.status)) };
        break;
      default:
        if (!scope[root]) throw unavailable(root);
        context[root] = scope[root];
    }
  }
  return context;
}

function unavailable(root: Root): ExpressionError {
  return new ExpressionError('evaluation', `'${root}' is not available where this expression runs`);
}

interface CelErrorView {
  code: string | undefined;
  summary: string;
  position: number | undefined;
}

function celError(error: unknown): CelErrorView {
  if (!(error instanceof Error)) return { code: undefined, summary: String(error), position: undefined };
  const e = error as Error & { code?: string; summary?: string; range?: { start: number } };
  return { code: e.code, summary: e.summary ?? e.message, position: e.range?.start };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'bigint' || typeof value === 'number') return 'a number';
  return typeof value === 'object' ? 'a map' : typeof value;
}
