import { Type, type Static } from 'typebox';
import { definePolicy, docBeside } from '../sdk.ts';
import { PHASE, template } from '../values.ts';

const schema = Type.Object(
  {
    body: Type.String({ maxLength: 1048576, description: 'New body (a template; `request.body` / `response.body` read the current one)' }),
    contentType: Type.Optional(Type.String({ maxLength: 200, description: 'Content-Type to set with it; default: leave the header' })),
    phase: Type.Optional(PHASE),
  },
  { additionalProperties: false },
);

/** Azure set-body (Liquid templates there, CEL here); Kong request/response-transformer (JSON fields only). */
export const setBody = definePolicy<Static<typeof schema>>({
  name: 'set-body',
  summary: 'Replaces the request or response body with a rendered template.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response'],
  schema,
  compile(config, env) {
    const body = template(config.body, env, '/body');
    const type = config.contentType;
    if ((config.phase ?? 'request') === 'request') {
      return {
        needs: { requestBody: true },
        request: (x) => {
          x.requestBody = Buffer.from(body(x));
          if (type !== undefined) x.requestHeaders.set('content-type', type);
        },
      };
    }
    return {
      needs: { responseBody: true, requestBody: body.requestBody },
      response: (x) => {
        x.responseBody = Buffer.from(body(x));
        x.responseHeaders.remove('content-encoding');
        if (type !== undefined) x.responseHeaders.set('content-type', type);
      },
    };
  },
});
