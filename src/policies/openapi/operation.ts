/**
 * The gateway's typed view of an operation's OpenAPI description as the snapshot carries it
 * (src/snapshot/operation-spec.ts: OpenAPI 3 shape, dereferenced, cycles in `refs`). The snapshot
 * arrives over the network, so every field is checked here instead of trusted.
 */
import type { PolicyInstance } from '../sdk.ts';
import type { Dialect } from './schema.ts';

type Obj = Record<string, unknown>;

export type ParameterIn = 'path' | 'query' | 'header' | 'cookie';

export interface ParameterView {
  readonly name: string;
  readonly in: ParameterIn;
  readonly required: boolean;
  readonly schema: unknown;
  readonly style: string;
  readonly explode: boolean;
}

export interface MediaView {
  readonly schema: unknown;
  readonly example: unknown;
  readonly examples: ReadonlyMap<string, unknown>;
}

export interface ResponseView {
  /** Media type (lower case, as declared: `application/json`, `image/*`) → media object. */
  readonly content: ReadonlyMap<string, MediaView>;
}

export interface OperationView {
  readonly dialect: Dialect;
  readonly parameters: readonly ParameterView[];
  readonly requestBody: { readonly required: boolean; readonly content: ReadonlyMap<string, MediaView> } | null;
  /** Status (`200`, `2XX`, `default`) → response. */
  readonly responses: ReadonlyMap<string, ResponseView>;
  readonly refs: Record<string, unknown>;
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const DIALECTS = new Set<unknown>(['openapi-3.0', 'openapi-3.1', 'swagger-2.0']);
const LOCATIONS = new Set<unknown>(['path', 'query', 'header', 'cookie']);
/** OAS 3.1 §4.8.12.1: these header parameters are ignored (HTTP itself describes them). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

/** The view, or null when the route has no OpenAPI description. */
export function readOperation(spec: unknown): OperationView | null {
  if (!isObj(spec) || !DIALECTS.has(spec.format)) return null;
  const parameters: ParameterView[] = [];
  for (const p of Array.isArray(spec.parameters) ? spec.parameters : []) {
    if (!isObj(p) || typeof p.name !== 'string' || !LOCATIONS.has(p.in)) continue;
    const where = p.in as ParameterIn;
    const name = where === 'header' ? p.name.toLowerCase() : p.name;
    if (where === 'header' && IGNORED_HEADERS.has(name)) continue;
    const style = typeof p.style === 'string' ? p.style : where === 'query' || where === 'cookie' ? 'form' : 'simple';
    parameters.push({ name, in: where, required: p.required === true || where === 'path', schema: p.schema ?? {}, style, explode: typeof p.explode === 'boolean' ? p.explode : style === 'form' });
  }
  const body = spec.requestBody;
  const responses = new Map<string, ResponseView>();
  if (isObj(spec.responses)) for (const [status, r] of Object.entries(spec.responses)) if (isObj(r)) responses.set(status.toUpperCase() === 'DEFAULT' ? 'default' : status.toUpperCase(), { content: contentOf(r.content) });
  return {
    dialect: spec.format as Dialect,
    parameters,
    requestBody: isObj(body) ? { required: body.required === true, content: contentOf(body.content) } : null,
    responses,
    refs: isObj(spec.refs) ? spec.refs : {},
  };
}

function contentOf(content: unknown): Map<string, MediaView> {
  const out = new Map<string, MediaView>();
  if (!isObj(content)) return out;
  for (const [type, m] of Object.entries(content)) {
    if (!isObj(m)) continue;
    const examples = new Map<string, unknown>();
    if (isObj(m.examples)) for (const [name, e] of Object.entries(m.examples)) if (isObj(e) && 'value' in e) examples.set(name, e.value);
    out.set(type.toLowerCase().split(';')[0]!.trim(), { schema: m.schema, example: m.example, examples });
  }
  return out;
}

/** The response a status falls under: exact, then its range (`2XX`), then `default`. */
export function responseFor(op: OperationView, status: number): ResponseView | undefined {
  return op.responses.get(String(status)) ?? op.responses.get(`${String(status)[0]}XX`) ?? op.responses.get('default');
}

/**
 * What a policy that needs the description becomes on a route without one (an API not imported
 * from OpenAPI, or a scope other than API and operation): it refuses every call rather than let
 * unvalidated calls through. At write time no route is known, so this is not an error there.
 */
export function undescribed(type: string): PolicyInstance {
  const detail = `Policy ${type} needs the operation's OpenAPI description; this route has none (import the API from OpenAPI, attach the policy at API or operation scope)`;
  return { request: (x) => x.refuse('PORTICO_POLICY_FAILED', detail) };
}
