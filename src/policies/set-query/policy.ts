import { Type, type Static } from 'typebox';
import { definePolicy, docBeside } from '../sdk.ts';
import { template } from '../values.ts';

const schema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Query parameter name' }),
    value: Type.Union([Type.String({ maxLength: 8192 }), Type.Null()], { description: 'Value (a template); null removes the parameter' }),
    exists: Type.Optional(Type.Enum(['override', 'skip', 'append'] as const, { description: 'When the parameter is already there: replace it (default), leave it, or add another' })),
  },
  { additionalProperties: false },
);

/** Azure set-query-parameter; Kong request-transformer querystring; Apiman has none. */
export const setQuery = definePolicy<Static<typeof schema>>({
  name: 'set-query',
  summary: 'Sets, appends or removes a query parameter of the request sent to the backend.',
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config, env) {
    const { name } = config;
    const exists = config.exists ?? 'override';
    const value = config.value === null ? null : template(config.value, env, '/value');
    return {
      needs: { requestBody: value?.requestBody === true },
      request: (x) => {
        const params = new URLSearchParams(x.query);
        if (value === null) params.delete(name);
        else if (!(exists === 'skip' && params.has(name))) {
          if (exists === 'append') params.append(name, value(x));
          else params.set(name, value(x));
        }
        x.query = params.toString();
      },
    };
  },
});
