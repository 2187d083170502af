/**
 * Reading a JSON body an untrusted party sent: invalid JSON, nesting deeper than MAX_DEPTH (a
 * recursive schema would otherwise recurse once per level and overflow the stack) and numbers too
 * large for a double (JSON.parse makes them Infinity, which no schema bound catches) are
 * violations with a clear message, never an exception.
 */
import { escapePointer, type Violation } from './violations.ts';

export const MAX_DEPTH = 64;

export type Parsed = { ok: true; value: unknown } | { ok: false; violation: Violation };

export function parseJsonBody(body: Buffer | null): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(body === null ? '' : body.toString('utf8'));
  } catch (error) {
    return { ok: false, violation: { in: 'body', pointer: '', message: `is not valid JSON: ${(error as Error).message}` } };
  }
  const problem = check(value);
  return problem === null ? { ok: true, value } : { ok: false, violation: { in: 'body', ...problem } };
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | null;
  key: string;
}

/** An iterative walk (no recursion on hostile depth). */
function check(root: unknown): { pointer: string; message: string } | null {
  const stack: Frame[] = [{ value: root, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const f = stack.pop()!;
    const v = f.value;
    if (typeof v === 'number' && !Number.isFinite(v)) return { pointer: pointerOf(f), message: 'is a number too large to represent' };
    if (v === null || typeof v !== 'object') continue;
    if (f.depth >= MAX_DEPTH) return { pointer: pointerOf(f), message: `nests deeper than ${MAX_DEPTH} levels` };
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) stack.push({ value: v[i], depth: f.depth + 1, parent: f, key: String(i) });
    else for (const k of Object.keys(v)) stack.push({ value: (v as Record<string, unknown>)[k], depth: f.depth + 1, parent: f, key: k });
  }
  return null;
}

function pointerOf(f: Frame): string {
  const keys: string[] = [];
  for (let at: Frame | null = f; at !== null && at.parent !== null; at = at.parent) keys.push(escapePointer(at.key));
  return keys.length === 0 ? '' : `/${keys.reverse().join('/')}`;
}
