/**
 * Parameter validation, compiled once per operation: one object schema per location (path,
 * query, header, cookie) validated with every error listed. Values arrive as text; following the
 * OpenAPI serialization defaults (OAS 3.1 §4.8.12.4) a value is split into an array (`form`
 * exploded: repeated `?id=1&id=2`; otherwise `1,2`, space- or pipe-delimited) and each item turned
 * into the declared type before checking. Our own coercion, not Ajv's: Ajv turns `1e400` into null
 * and would let it pass a `maximum`.
 */
import type { ValidateFunction } from 'ajv';
import type { Exchange } from '../sdk.ts';
import type { OperationView, ParameterIn, ParameterView } from './operation.ts';
import { validatorOf } from './schema.ts';
import { parameterViolations, type Violation } from './violations.ts';

type Obj = Record<string, unknown>;

interface Reader {
  readonly param: ParameterView;
  /** Array parameter: the item types; else null. */
  readonly itemTypes: ReadonlySet<string> | null;
  readonly types: ReadonlySet<string>;
  readonly separator: string;
}

interface Location {
  readonly in: ParameterIn;
  readonly readers: readonly Reader[];
  readonly validate: ValidateFunction;
}

export interface ParameterCheck {
  (x: Exchange, out: Violation[]): void;
}

const SEPARATORS: Record<string, string> = { spaceDelimited: ' ', pipeDelimited: '|' };
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function typesOf(schema: unknown): Set<string> {
  const t = (schema as Obj | null)?.type;
  return new Set(typeof t === 'string' ? [t] : Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : []);
}

/** Text → the declared scalar type when it reads as one; else left as text for the schema to refuse. */
function coerce(raw: string, types: ReadonlySet<string>): unknown {
  if (types.size === 0 || types.has('string')) return raw;
  if ((types.has('integer') || types.has('number')) && NUMBER.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  if (types.has('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true';
  if (types.has('null') && raw === '') return null;
  return raw;
}

export function compileParameters(op: OperationView, unspecifiedQuery: boolean): ParameterCheck | null {
  const locations: Location[] = [];
  for (const where of ['path', 'query', 'header', 'cookie'] as const) {
    const params = op.parameters.filter((p) => p.in === where);
    if (params.length === 0) continue;
    const readers = params.map((param): Reader => {
      const types = typesOf(param.schema);
      const array = types.has('array');
      return { param, types, itemTypes: array ? typesOf((param.schema as Obj).items) : null, separator: SEPARATORS[param.style] ?? ',' };
    });
    const schema = { type: 'object', properties: Object.fromEntries(params.map((p) => [p.name, p.schema])), required: params.filter((p) => p.required).map((p) => p.name) };
    locations.push({ in: where, readers, validate: validatorOf(schema, op.dialect, op.refs) });
  }
  const declaredQuery = new Set(op.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  if (locations.length === 0 && !unspecifiedQuery) return null;
  // The instance is compiled for one route, so its template is fixed: the pattern is built once.
  let pattern: PathPattern | null = null;
  const pathMatcher = (x: Exchange): PathPattern | null => {
    const template = x.operation?.path;
    if (template === undefined) return null;
    if (pattern?.template !== template) pattern = pathPattern(template);
    return pattern;
  };
  return (x, out) => {
    const sources: Record<ParameterIn, ((name: string) => string[] | undefined) | null> = { path: null, query: null, header: null, cookie: null };
    for (const loc of locations) {
      const read = (sources[loc.in] ??= sourceOf(loc.in, x, pathMatcher, out));
      const values: Obj = {};
      for (const r of loc.readers) {
        const raw = read(r.param.name);
        if (raw !== undefined) values[r.param.name] = valueOf(r, raw);
      }
      if (!loc.validate(values)) out.push(...parameterViolations(loc.validate.errors, loc.in));
    }
    if (unspecifiedQuery) {
      for (const name of queryNames(x.query)) if (!declaredQuery.has(name)) out.push({ in: 'query', name, pointer: '', message: 'is not a parameter of this operation' });
    }
  };
}

function valueOf(r: Reader, raw: string[]): unknown {
  if (r.itemTypes === null) return coerce(raw[0]!, r.types);
  const items = r.param.explode && r.param.in !== 'path' && r.param.in !== 'header' ? raw : raw[0]!.split(r.separator);
  return items.map((i) => coerce(r.param.in === 'header' ? i.trim() : i, r.itemTypes!));
}

function sourceOf(where: ParameterIn, x: Exchange, path: (x: Exchange) => PathPattern | null, out: Violation[]): (name: string) => string[] | undefined {
  if (where === 'header') return (name) => (x.requestHeaders.has(name) ? [x.requestHeaders.get(name)!] : undefined);
  const map = new Map<string, string[]>();
  const put = (name: string, value: string) => map.set(name, [...(map.get(name) ?? []), value]);
  if (where === 'query') for (const [k, v] of queryPairs(x.query, out)) put(k, v);
  else if (where === 'cookie') {
    for (const part of (x.requestHeaders.get('cookie') ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) put(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  } else {
    const p = path(x);
    const match = p === null ? null : p.re.exec(x.path);
    if (p === null || match === null) return () => undefined;
    for (const [i, k] of p.names.entries()) {
      const value = decode(match[i + 1]!);
      if (value === null) out.push({ in: 'path', name: k, pointer: '', message: 'is not valid percent-encoding' });
      else put(k, value);
    }
  }
  return (name) => map.get(name);
}

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function* queryPairs(query: string, out: Violation[]): Generator<[string, string]> {
  if (query === '') return;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decode((eq < 0 ? part : part.slice(0, eq)).replaceAll('+', ' '));
    const v = decode(eq < 0 ? '' : part.slice(eq + 1).replaceAll('+', ' '));
    if (k === null || v === null) out.push({ in: 'query', name: k ?? part.slice(0, Math.max(eq, 0)), pointer: '', message: 'is not valid percent-encoding' });
    else yield [k, v];
  }
}

function queryNames(query: string): Set<string> {
  const names = new Set<string>();
  for (const [k] of queryPairs(query, [])) names.add(k);
  return names;
}

interface PathPattern {
  readonly template: string;
  readonly re: RegExp;
  readonly names: readonly string[];
}

/** `/orders/{id}` → `^/orders/([^/]*)$` and its parameter names, in order. */
function pathPattern(template: string): PathPattern {
  const names: string[] = [];
  const source = template.split(/(\{[^}]*\})/).map((piece) => {
    if (piece.startsWith('{') && piece.endsWith('}')) {
      names.push(piece.slice(1, -1));
      return '([^/]*)';
    }
    return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return { template, re: new RegExp(`^${source.join('')}/?$`), names };
}
