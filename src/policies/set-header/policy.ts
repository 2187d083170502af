import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, type Exchange, type Headers } from '../sdk.ts';
import { HEADER_NAME, PHASE, template } from '../values.ts';

const schema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: HEADER_NAME, description: 'Header name' }),
    value: Type.Union([Type.String({ maxLength: 8192 }), Type.Null()], { description: 'Value, a template (`Bearer {{vars.token}}`, `{{secretName}}`); null removes the header' }),
    phase: Type.Optional(PHASE),
    exists: Type.Optional(Type.Enum(['override', 'skip', 'append'] as const, { description: 'When the header is already there: replace it (default), leave it, or add another field' })),
  },
  { additionalProperties: false },
);

/** Azure set-header, Kong request/response-transformer headers, Apiman simple header policy. */
export const setHeader = definePolicy<Static<typeof schema>>({
  name: 'set-header',
  summary: 'Sets, appends or removes a header on the request or on the response.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response'],
  schema,
  compile(config, env) {
    const { name } = config;
    const exists = config.exists ?? 'override';
    const value = config.value === null ? null : template(config.value, env, '/value');
    const apply = (headers: Headers, x: Exchange) => {
      if (value === null) return headers.remove(name);
      if (exists === 'skip' && headers.has(name)) return;
      const v = value(x);
      if (exists === 'append') headers.add(name, v);
      else headers.set(name, v);
    };
    const needs = { requestBody: value?.requestBody === true, responseBody: value?.responseBody === true };
    return (config.phase ?? 'request') === 'request'
      ? { needs, request: (x) => apply(x.requestHeaders, x) }
      : { needs, response: (x) => apply(x.responseHeaders, x) };
  },
});
