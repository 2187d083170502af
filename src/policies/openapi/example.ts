/**
 * The example a mock answers with: the media type's `example`, a named or the first of its
 * `examples`, the schema's own example, or one generated from the schema. Generation is simple
 * and deterministic (same schema, same body): the first enum value or default, `0` or the
 * minimum for numbers, `"string"` (or a value of the format) for strings, one item per array and
 * every property of an object, to a bounded depth; `$ref` cycles resolve through `refs`.
 */
import type { MediaView } from './operation.ts';

type Obj = Record<string, unknown>;

const MAX_DEPTH = 8;
const FORMATS: Record<string, string> = {
  date: '2024-01-01',
  'date-time': '2024-01-01T00:00:00Z',
  time: '00:00:00Z',
  email: 'user@example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  uri: 'https://example.com/',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  byte: 'c3RyaW5n',
};

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `undefined` when there is neither an example nor a schema. */
export function exampleOf(media: MediaView, named: string | undefined, refs: Record<string, unknown>): unknown {
  if (named !== undefined && media.examples.has(named)) return media.examples.get(named);
  if (media.example !== undefined) return media.example;
  const first = media.examples.values().next();
  if (first.done !== true) return first.value;
  return media.schema === undefined ? undefined : generate(media.schema, refs, 0);
}

export function generate(schema: unknown, refs: Record<string, unknown>, depth: number): unknown {
  if (!isObj(schema) || depth > MAX_DEPTH) return null;
  if (typeof schema.$ref === 'string') return generate(refs[schema.$ref], refs, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('const' in schema) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const k of ['oneOf', 'anyOf'] as const) if (Array.isArray(schema[k]) && schema[k].length > 0) return generate(schema[k][0], refs, depth + 1);
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((s) => generate(s, refs, depth + 1));
    return parts.every(isObj) ? Object.assign({}, ...parts) : (parts[0] ?? null);
  }
  const types = Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null') : [schema.type];
  const type = types[0] ?? (isObj(schema.properties) ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const out: Obj = {};
      if (isObj(schema.properties)) for (const [k, s] of Object.entries(schema.properties)) if (!(isObj(s) && s.writeOnly === true)) out[k] = generate(s, refs, depth + 1);
      return out;
    }
    case 'array':
      return depth >= MAX_DEPTH ? [] : Array.from({ length: Math.min(Math.max(Number(schema.minItems) || 1, 1), 10) }, () => generate(schema.items, refs, depth + 1));
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0;
    case 'boolean':
      return true;
    case 'string':
      return FORMATS[String(schema.format)] ?? 'string';
    default:
      return null;
  }
}
