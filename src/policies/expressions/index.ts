/** The policy expression language (CEL) and templated values; see docs/expressions.md. */
export { compileCondition, compileExpression } from './expression.ts';
export type { CompiledCondition, CompiledExpression, ConsumerScope, ExpressionScope, RequestScope, ResponseScope, Root, Use } from './expression.ts';
export { ROOTS } from './environment.ts';
export type { HeaderLookup, HeaderTest } from './header-test.ts';
export { ExpressionError, type ExpressionErrorKind } from './errors.ts';
export { LIMITS } from './limits.ts';
export { compileTemplate, type CompiledTemplate } from './template.ts';
export { linearRegExp } from './regex.ts';
