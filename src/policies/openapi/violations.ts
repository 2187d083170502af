/**
 * Violations as the problem document lists them: `{ in, name?, pointer, message }`, where `in` is
 * the part of the message (`path`, `query`, `header`, `cookie`, `body`, `status`), `name` the
 * parameter and `pointer` a JSON pointer into its value or into the body.
 */
import type { ErrorObject } from 'ajv';

export interface Violation {
  readonly in: 'path' | 'query' | 'header' | 'cookie' | 'body' | 'status';
  readonly name?: string;
  readonly pointer: string;
  readonly message: string;
}

/** The most listed in one answer: a hostile body can break every item of a huge array. */
export const MAX_LISTED = 100;

export function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescape(key: string): string {
  return key.replaceAll('~1', '/').replaceAll('~0', '~');
}

function messageOf(e: ErrorObject): string {
  const p = e.params as { additionalProperty?: string; allowedValues?: unknown[] };
  if (e.keyword === 'additionalProperties' && p.additionalProperty !== undefined) return `has a property not allowed: ${p.additionalProperty}`;
  if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) return `must be one of ${JSON.stringify(p.allowedValues).slice(0, 200)}`;
  return e.message ?? 'is invalid';
}

/** Ajv errors on a body (`pointer` into it). */
export function bodyViolations(errors: readonly ErrorObject[] | null | undefined): Violation[] {
  return (errors ?? []).slice(0, MAX_LISTED).map((e) => {
    const missing = (e.params as { missingProperty?: string }).missingProperty;
    if (e.keyword === 'required' && missing !== undefined) return { in: 'body', pointer: `${e.instancePath}/${escapePointer(missing)}`, message: 'is required' };
    return { in: 'body', pointer: e.instancePath, message: messageOf(e) };
  });
}

/** Ajv errors on an object of parameters (`/name/rest` → name + pointer `/rest`). */
export function parameterViolations(errors: readonly ErrorObject[] | null | undefined, where: Violation['in']): Violation[] {
  return (errors ?? []).slice(0, MAX_LISTED).map((e) => {
    const missing = (e.params as { missingProperty?: string }).missingProperty;
    if (e.keyword === 'required' && e.instancePath === '' && missing !== undefined) return { in: where, name: missing, pointer: '', message: 'is required' };
    const [, first = '', ...rest] = e.instancePath.split('/');
    return { in: where, name: unescape(first), pointer: rest.length === 0 ? '' : `/${rest.join('/')}`, message: messageOf(e) };
  });
}

/** One line for `detail`: the count and the first violation. */
export function summary(list: readonly Violation[]): string {
  const first = list[0]!;
  const where = [first.in, first.name, first.pointer].filter((s) => s !== undefined && s !== '').join(' ');
  return `${list.length} violation${list.length === 1 ? '' : 's'}; first: ${where} ${first.message}`;
}
