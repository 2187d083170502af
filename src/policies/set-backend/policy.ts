import { Type, type Static } from 'typebox';
import { definePolicy, docBeside } from '../sdk.ts';
import { template } from '../values.ts';

const schema = Type.Object(
  { url: Type.String({ minLength: 1, maxLength: 2000, description: 'Absolute http(s) URL of the backend (a template), without query' }) },
  { additionalProperties: false },
);

/** Azure set-backend-service; Kong route-by-header / a plugin setting the upstream; Apiman none. */
export const setBackend = definePolicy<Static<typeof schema>>({
  name: 'set-backend',
  summary: 'Sends the call to another backend URL, chosen by a template or expression.',
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config, env) {
    const url = template(config.url, env, '/url');
    return {
      needs: { requestBody: url.requestBody },
      request: (x) => {
        x.backendUrl = url(x);
      },
    };
  },
});
