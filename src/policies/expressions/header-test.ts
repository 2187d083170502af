/**
 * The commonest conditions read one request header: `"x-debug" in request.headers`,
 * `request.headers["x-tier"] == "gold"` (either side, `!=`, and `!` of any of them). Those are
 * answered from the header list itself: no headers record, no activation, no metered CEL run.
 * A shortcut answers only where CEL would give a boolean; where CEL would fail (the compared
 * header is absent: `no_such_key`) it answers `undefined` and the full evaluation runs and fails
 * with CEL's own message.
 */
import type { CelNode } from './ast.ts';

/** A lower-case header name → its value (repeated fields joined with `, `), or undefined. */
export interface HeaderLookup {
  get(name: string): string | undefined;
}

/** True / false as CEL would answer, or undefined: evaluate the expression instead. */
export type HeaderTest = (headers: HeaderLookup) => boolean | undefined;

/** The shortcut for a condition of the forms above, or null for any other condition. */
export function headerTest(node: CelNode): HeaderTest | null {
  if (node.op === '!_') {
    const inner = headerTest(node.args as CelNode);
    if (inner === null) return null;
    return (h) => {
      const r = inner(h);
      return r === undefined ? undefined : !r;
    };
  }
  if (node.op === 'in') {
    const [name, map] = node.args as [CelNode, CelNode];
    const n = headerName(name);
    if (n === null || !isRequestHeaders(map)) return null;
    return (h) => h.get(n) !== undefined;
  }
  if (node.op === '==' || node.op === '!=') {
    const [a, b] = node.args as [CelNode, CelNode];
    const left = headerIndex(a);
    const read = left ?? headerIndex(b);
    const value = stringLiteral(left === null ? a : b);
    if (read === null || value === null) return null;
    const equal = node.op === '==';
    return (h) => {
      const v = h.get(read);
      return v === undefined ? undefined : (v === value) === equal;
    };
  }
  return null;
}

/** `request.headers["name"]` → name, when the name can be in the record (lower case). */
function headerIndex(node: CelNode): string | null {
  if (node.op !== '[]') return null;
  const [map, key] = node.args as [CelNode, CelNode];
  return isRequestHeaders(map) ? headerName(key) : null;
}

function isRequestHeaders(node: CelNode): boolean {
  if (node.op !== '.') return false;
  const [object, field] = node.args as [CelNode, string];
  return field === 'headers' && object.op === 'id' && object.args === 'request';
}

/**
 * A string literal that can be a key of the headers record. The record's keys are lower case, so
 * `"X-Debug" in request.headers` is always false in CEL: such names get no shortcut (the header
 * list's lookup ignores case and would answer differently).
 */
function headerName(node: CelNode): string | null {
  const s = stringLiteral(node);
  return s !== null && s !== '' && s === s.toLowerCase() ? s : null;
}

function stringLiteral(node: CelNode): string | null {
  return node.op === 'value' && typeof node.args === 'string' ? node.args : null;
}
