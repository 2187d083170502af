/**
 * OpenAPI schemas as JSON Schema 2020-12 validators. OpenAPI 3.1 schemas are 2020-12 already;
 * 3.0 and Swagger 2.0 schemas are translated: `nullable` (`x-nullable`) adds `null` to the type,
 * boolean `exclusiveMinimum`/`exclusiveMaximum` (draft 4) become numbers. Cycles the importer kept
 * as `$ref`s resolve against `refs`, embedded under the schema's root.
 *
 * Compiling is costly (an Ajv instance takes ~70 ms, a schema ~1 ms), so there is one Ajv per
 * process and validators are cached by the schema's text: a new snapshot with the same document
 * reuses them, and the cache is bounded (evicted schemas are removed from Ajv too).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { LRUCache } from 'lru-cache';

export type Dialect = 'openapi-3.0' | 'openapi-3.1' | 'swagger-2.0';
type Obj = Record<string, unknown>;

const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false, validateSchema: false });
addFormats.default(ajv);
// OpenAPI's own formats (OAS 3.1 §4.4): int32/int64 are range checks, the rest describe bytes.
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
for (const name of ['float', 'double']) ajv.addFormat(name, { type: 'number', validate: (n: number) => Number.isFinite(n) });
ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
for (const name of ['binary', 'password']) ajv.addFormat(name, () => true);

const cache = new LRUCache<string, ValidateFunction>({
  max: 5000,
  dispose: (fn) => ajv.removeSchema(fn.schema as Obj),
});

/** A validator for `schema`; throws when the schema itself cannot be compiled. */
export function validatorOf(schema: unknown, dialect: Dialect, refs: Record<string, unknown>): ValidateFunction {
  const root = toJsonSchema(schema, dialect);
  const used = Object.keys(refs);
  if (used.length > 0 && root !== null && typeof root === 'object') Object.assign(root as Obj, embed(refs, dialect));
  const key = `${dialect}\u0000${JSON.stringify(root)}`;
  let fn = cache.get(key);
  if (fn === undefined) {
    fn = ajv.compile(root as Obj);
    cache.set(key, fn);
  }
  return fn;
}

/** The `$ref` targets placed where their pointers say, so `#/components/schemas/X` resolves in the root. */
function embed(refs: Record<string, unknown>, dialect: Dialect): Obj {
  const out: Obj = {};
  for (const [ref, target] of Object.entries(refs)) {
    const keys = ref.slice(2).split('/').map((k) => decodeURIComponent(k).replaceAll('~1', '/').replaceAll('~0', '~'));
    let at = out;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Obj;
    at[keys.at(-1)!] = toJsonSchema(target, dialect);
  }
  return out;
}

/** Keywords whose value maps names (data) to schemas. */
const MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** A copy of an OpenAPI schema in JSON Schema 2020-12 terms (no `$id`: ids would clash across snapshots). */
export function toJsonSchema(schema: unknown, dialect: Dialect): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, dialect));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema as Obj)) {
    if (MAPS.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v as Obj).map(([name, s]) => [name, toJsonSchema(s, dialect)]));
      continue;
    }
    if (k === '$id' || k === '$schema' || k === 'example' || k === 'examples' || k === 'xml') continue;
    // Property names and enum/const values are data, not schemas.
    out[k] = k === 'enum' || k === 'const' || k === 'default' || k === 'required' ? v : toJsonSchema(v, dialect);
  }
  if (dialect === 'openapi-3.1') return out;
  for (const side of ['Minimum', 'Maximum'] as const) {
    const flag = out[`exclusive${side}`];
    if (typeof flag === 'boolean') {
      delete out[`exclusive${side}`];
      const bound = out[side.toLowerCase()];
      if (flag && typeof bound === 'number') {
        out[`exclusive${side}`] = bound;
        delete out[side.toLowerCase()];
      }
    }
  }
  if (out.nullable === true || out['x-nullable'] === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}
