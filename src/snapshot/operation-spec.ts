/**
 * The part of an imported OpenAPI document one operation needs at the gateway (validation and
 * mock policies): its parameters (the path item's merged in), request body and responses, already
 * dereferenced by the importer. The cycles the importer kept as internal `$ref`s travel in `refs`
 * so the gateway can resolve them without the whole document. Swagger 2.0 operations are given
 * the OpenAPI 3 shape (body parameter → requestBody, `schema`/`examples` → content per MIME type).
 */
import type { StoredOpenApi } from '../domain/api.ts';
import type { SnapshotOperationSpec } from './types.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function operationSpecOf(openapi: StoredOpenApi | undefined, method: string, path: string): SnapshotOperationSpec | undefined {
  if (openapi === undefined) return undefined;
  const doc = openapi.document;
  const item = isObj(doc.paths) ? doc.paths[path] : undefined;
  if (!isObj(item)) return undefined;
  const op = item[method.toLowerCase()];
  if (!isObj(op)) return undefined;
  const parameters = mergeParameters(item.parameters, op.parameters);
  const spec: SnapshotOperationSpec =
    openapi.format === 'swagger-2.0'
      ? fromSwagger(doc, op, parameters)
      : { format: openapi.format, parameters, requestBody: isObj(op.requestBody) ? op.requestBody : null, responses: isObj(op.responses) ? op.responses : {}, refs: {} };
  spec.refs = refsOf(doc, [spec.parameters, spec.requestBody, spec.responses]);
  return spec;
}

/** Operation parameters override the path item's of the same name and location (OAS 3.1 §4.8.10). */
function mergeParameters(shared: unknown, own: unknown): Obj[] {
  const byKey = new Map<string, Obj>();
  for (const list of [shared, own]) if (Array.isArray(list)) for (const p of list) if (isObj(p)) byKey.set(`${String(p.in)}\u0000${String(p.name)}`, p);
  return [...byKey.values()];
}

const SCHEMA_FIELDS = ['type', 'format', 'items', 'enum', 'default', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf'];
const COLLECTION: Record<string, { style: string; explode: boolean }> = {
  csv: { style: 'form', explode: false },
  multi: { style: 'form', explode: true },
  ssv: { style: 'spaceDelimited', explode: false },
  pipes: { style: 'pipeDelimited', explode: false },
};

function fromSwagger(doc: Obj, op: Obj, parameters: Obj[]): SnapshotOperationSpec {
  const consumes = strings(op.consumes) ?? strings(doc.consumes) ?? ['application/json'];
  const produces = strings(op.produces) ?? strings(doc.produces) ?? ['application/json'];
  let requestBody: Obj | null = null;
  const params: Obj[] = [];
  for (const p of parameters) {
    if (p.in === 'body') requestBody = { required: p.required === true, content: Object.fromEntries(consumes.map((m) => [m, { schema: p.schema ?? {} }])) };
    else if (p.in !== 'formData') {
      const schema = Object.fromEntries(SCHEMA_FIELDS.filter((f) => p[f] !== undefined).map((f) => [f, p[f]]));
      const style = p.in === 'query' ? (COLLECTION[String(p.collectionFormat ?? 'csv')] ?? COLLECTION.csv!) : { style: 'simple', explode: false };
      params.push({ name: p.name, in: p.in, required: p.required === true, schema, ...style });
    }
  }
  const responses: Obj = {};
  for (const [status, r] of Object.entries(isObj(op.responses) ? op.responses : {})) {
    if (!isObj(r)) continue;
    const examples = isObj(r.examples) ? r.examples : {};
    const types = r.schema === undefined ? Object.keys(examples) : produces;
    const content = Object.fromEntries(types.map((m) => [m, { ...(r.schema === undefined ? {} : { schema: r.schema }), ...(m in examples ? { example: examples[m] } : {}) }]));
    responses[status] = { description: r.description ?? '', ...(types.length > 0 ? { content } : {}) };
  }
  return { format: 'swagger-2.0', parameters: params, requestBody, responses, refs: {} };
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string') ? v : undefined;
}

/** Every internal `$ref` target reachable from `roots`, by pointer (`#/components/schemas/Node`). */
function refsOf(doc: Obj, roots: unknown[]): Record<string, unknown> {
  const refs: Record<string, unknown> = {};
  const stack = [...roots];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (isObj(v)) {
      const ref = v.$ref;
      if (typeof ref === 'string' && ref.startsWith('#/') && !(ref in refs)) {
        const target = resolve(doc, ref);
        refs[ref] = target;
        stack.push(target);
      }
      for (const k of Object.keys(v)) if (k !== '$ref') stack.push(v[k]);
    }
  }
  return refs;
}

function resolve(doc: Obj, ref: string): unknown {
  let at: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    at = isObj(at) || Array.isArray(at) ? (at as Obj)[key] : undefined;
  }
  return at ?? {};
}
