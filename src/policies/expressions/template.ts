/**
 * Templated attribute values (`"Bearer {{vars.token}}"`, `"{{backendSecret}}"`). A `{{name}}` naming
 * a named value is replaced by its value when the template is compiled, so secrets live only in the
 * gateway's memory: the compiled template shows `{{name}}` wherever it is printed, logged,
 * inspected or serialized (`describe`, `toString`, `toJSON`, util.inspect). Anything else inside
 * `{{ }}` is a CEL expression evaluated per request. `\{{` writes a literal `{{`.
 */
import { inspect } from 'node:util';
import { ExpressionError } from './errors.ts';
import { compile, type ExpressionScope, type Use } from './expression.ts';
import { LIMITS } from './limits.ts';
import { toPlain } from './values.ts';

const NAMED_VALUE = /^[A-Za-z0-9._-]+$/;

type Part = string | ((scope: ExpressionScope) => unknown);

export class CompiledTemplate {
  /** The template as written: `{{name}}` for named values, never their values. */
  readonly source: string;
  readonly uses: ReadonlySet<Use>;
  readonly #parts: readonly Part[];
  readonly #constant: string | null;

  constructor(source: string, parts: readonly Part[], uses: ReadonlySet<Use>) {
    this.source = source;
    this.uses = uses;
    this.#parts = parts;
    this.#constant = parts.every((p) => typeof p === 'string') ? parts.join('') : null;
  }

  /** The rendered value when no part depends on the request (secrets included); else null. */
  get constant(): string | null {
    return this.#constant;
  }

  /** Throws ExpressionError when an expression fails on this request. */
  render(scope: ExpressionScope): string {
    if (this.#constant !== null) return this.#constant;
    let out = '';
    for (const part of this.#parts) out += typeof part === 'string' ? part : stringify(part(scope));
    return out;
  }

  /** Safe to log and trace: the source, with named values as `{{name}}`. */
  describe(): string {
    return this.source;
  }

  toString(): string {
    return this.describe();
  }

  toJSON(): string {
    return this.describe();
  }

  [inspect.custom](): string {
    return `CompiledTemplate(${JSON.stringify(this.describe())})`;
  }
}

export function compileTemplate(source: string, namedValues: ReadonlyMap<string, string>): CompiledTemplate {
  if (typeof source !== 'string') throw new ExpressionError('syntax', 'a template must be a string');
  if (source.length > LIMITS.maxTemplateLength) {
    throw new ExpressionError('limit', `a template may have at most ${LIMITS.maxTemplateLength} characters; this one has ${source.length}`);
  }
  const parts: Part[] = [];
  const uses = new Set<Use>();
  let literal = '';
  let at = 0;
  for (let open = source.indexOf('{{'); open !== -1; open = source.indexOf('{{', at)) {
    if (open > 0 && source[open - 1] === '\\') {
      literal += source.slice(at, open - 1) + '{{';
      at = open + 2;
      continue;
    }
    literal += source.slice(at, open);
    const close = source.indexOf('}}', open + 2);
    if (close === -1) throw new ExpressionError('syntax', 'unterminated {{ (write \\{{ for a literal {{)', { source, position: open });
    const inner = source.slice(open + 2, close);
    const name = inner.trim();
    const secret = NAMED_VALUE.test(name) ? namedValues.get(name) : undefined;
    if (secret !== undefined) {
      literal += secret;
    } else {
      const expression = compilePart(source, inner, open);
      for (const root of expression.uses) uses.add(root);
      if (literal) parts.push(literal);
      parts.push(expression.run);
      literal = '';
    }
    at = close + 2;
  }
  literal += source.slice(at);
  if (literal || parts.length === 0) parts.push(literal);
  return new CompiledTemplate(source, parts, uses);
}

function compilePart(source: string, inner: string, open: number): ReturnType<typeof compile> {
  try {
    return compile(inner, { text: source, offset: open + 2 });
  } catch (error) {
    const name = inner.trim();
    if (!(error instanceof ExpressionError) || !NAMED_VALUE.test(name)) throw error;
    const kind = error.kind === 'limit' ? 'limit' : 'reference';
    throw new ExpressionError(kind, `unknown named value or invalid expression {{${name}}}: ${error.detail}`, { source, position: open }, { cause: error });
  }
}

/** Strings as they are, numbers and booleans as text, lists and maps as JSON, null as nothing. */
function stringify(value: unknown): string {
  const plain = toPlain(value);
  if (plain === null) return '';
  if (typeof plain === 'string') return plain;
  if (typeof plain === 'number' || typeof plain === 'boolean') return String(plain);
  if (plain instanceof Uint8Array) return Buffer.from(plain).toString('utf8');
  return JSON.stringify(plain);
}
