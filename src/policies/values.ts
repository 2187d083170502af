/**
 * Shared pieces of policy configs: header-name pattern, the phase field, and templated values,
 * expressions and conditions compiled once per snapshot (a value without `{{` costs nothing per
 * request). Compile errors become PolicyConfigError with the field's pointer, so the management
 * API refuses them when the policy is written.
 */
import { Type } from 'typebox';
import { compileCondition, compileExpression, compileTemplate, ExpressionError } from './expressions/index.ts';
import { readsBody, scopeOf } from './scope.ts';
import { PolicyConfigError, type CompileEnv, type Exchange } from './sdk.ts';

/** RFC 9110 §5.6.2 token. */
export const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

export const PHASE = Type.Enum(['request', 'response'] as const, { description: 'Request (to the backend, default) or response (to the client)' });

export interface Compiled<T> {
  (x: Exchange): T;
  /** The source reads `request.body` / `response.body`: the policy must buffer it. */
  readonly requestBody: boolean;
  readonly responseBody: boolean;
}

function rethrow(error: unknown, pointer: string): never {
  if (error instanceof ExpressionError) throw new PolicyConfigError(pointer, error.message);
  throw error;
}

function withNeeds<T>(fn: (x: Exchange) => T, source: string): Compiled<T> {
  return Object.assign(fn, { requestBody: readsBody(source, 'request'), responseBody: readsBody(source, 'response') });
}

/** A templated value: `{{ expression }}` or `{{namedValue}}` inside text. */
export function template(source: string, env: CompileEnv, pointer: string): Compiled<string> {
  let t;
  try {
    t = compileTemplate(source, env.namedValues);
  } catch (error) {
    rethrow(error, pointer);
  }
  const constant = t.constant;
  if (constant !== null) return withNeeds(() => constant, '');
  const uses = t.uses;
  return withNeeds((x) => t.render(scopeOf(x, uses)), source);
}

export function expression(source: string, pointer: string): Compiled<unknown> {
  let e;
  try {
    e = compileExpression(source);
  } catch (error) {
    rethrow(error, pointer);
  }
  const uses = e.uses;
  return withNeeds((x) => e.evaluate(scopeOf(x, uses)), source);
}

export function condition(source: string, pointer: string): Compiled<boolean> {
  let c;
  try {
    c = compileCondition(source);
  } catch (error) {
    rethrow(error, pointer);
  }
  const uses = c.uses;
  const quick = c.headerTest;
  if (quick !== null) return withNeeds((x) => quick(x.requestHeaders) ?? c.test(scopeOf(x, uses)), source);
  return withNeeds((x) => c.test(scopeOf(x, uses)), source);
}
