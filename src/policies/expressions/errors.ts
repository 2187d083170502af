/**
 * The one error type of the expression language. Policies turn a compile-time one into a config
 * error (with its pointer) and a run-time one into PORTICO_POLICY_FAILED; `kind` tells which and why.
 */
export type ExpressionErrorKind =
  /** The source is not CEL (or not a valid regular expression for `matches()`). */
  | 'syntax'
  /** A name that is not a root, a named value or a declared field. */
  | 'reference'
  /** Operands that cannot work together, known before any request arrives. */
  | 'type'
  /** Too long, too large, too deep, or out of evaluation budget. */
  | 'limit'
  /** Failed on this request's data (a missing key, a non-boolean condition). */
  | 'evaluation';

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  readonly kind: ExpressionErrorKind;
  /** The message without its location. */
  readonly detail: string;
  /** 0-based character offset into the source (the template's, for a template), when known. */
  readonly position: number | undefined;
  /** 1-based line and column of `position`. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(kind: ExpressionErrorKind, message: string, where?: { source: string; position: number }, options?: { cause?: unknown }) {
    const at = where ? lineAndColumn(where.source, where.position) : undefined;
    const suffix = !at ? '' : where?.source.includes('\n') ? ` (line ${at.line}, column ${at.column})` : ` (column ${at.column})`;
    super(message + suffix, options);
    this.kind = kind;
    this.detail = message;
    this.position = where?.position;
    this.line = at?.line;
    this.column = at?.column;
  }
}

function lineAndColumn(source: string, position: number): { line: number; column: number } {
  const before = source.slice(0, Math.max(0, Math.min(position, source.length)));
  const lastBreak = before.lastIndexOf('\n');
  let line = 1;
  for (const ch of before) if (ch === '\n') line++;
  return { line, column: before.length - lastBreak };
}
