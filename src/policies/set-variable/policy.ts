import { Type, type Static } from 'typebox';
import { definePolicy, docBeside } from '../sdk.ts';
import { expression, PHASE } from '../values.ts';

const schema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Variable name, read later as vars.<name>' }),
    value: Type.String({ minLength: 1, maxLength: 4096, description: 'CEL expression whose result is stored' }),
    phase: Type.Optional(PHASE),
  },
  { additionalProperties: false },
);

/** Azure set-variable; Kong has no variables (kong.ctx in custom plugins); Apiman none. */
export const setVariable = definePolicy<Static<typeof schema>>({
  name: 'set-variable',
  summary: 'Stores the result of an expression in `vars` for later policies.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response'],
  schema,
  compile(config) {
    const value = expression(config.value, '/value');
    const { name } = config;
    const needs = { requestBody: value.requestBody, responseBody: value.responseBody };
    return (config.phase ?? 'request') === 'request'
      ? { needs, request: (x) => void (x.vars[name] = value(x)) }
      : { needs, response: (x) => void (x.vars[name] = value(x)) };
  },
});
