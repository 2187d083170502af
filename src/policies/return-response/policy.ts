import { Type, type Static } from 'typebox';
import { definePolicy, docBeside } from '../sdk.ts';
import { HEADER_NAME, template } from '../values.ts';

const schema = Type.Object(
  {
    status: Type.Integer({ minimum: 200, maximum: 599, description: 'Status code' }),
    headers: Type.Optional(Type.Record(Type.String({ pattern: HEADER_NAME }), Type.String({ maxLength: 8192 }), { additionalProperties: false, description: 'Headers (values are templates)' })),
    body: Type.Optional(Type.String({ maxLength: 1048576, description: 'Body (a template)' })),
    contentType: Type.Optional(Type.String({ maxLength: 200, description: 'Content-Type of the body (default text/plain; charset=utf-8 when there is a body)' })),
  },
  { additionalProperties: false },
);

/** Azure return-response; Kong request-termination; Apiman has no direct counterpart. */
export const returnResponse = definePolicy<Static<typeof schema>>({
  name: 'return-response',
  summary: 'Answers the call with the given status, headers and body; the backend is not called.',
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config, env) {
    const headers = Object.entries(config.headers ?? {}).map(([name, value]) => [name, template(value, env, `/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`)] as const);
    const body = config.body === undefined ? null : template(config.body, env, '/body');
    const contentType = config.contentType ?? (body === null ? null : 'text/plain; charset=utf-8');
    const { status } = config;
    return {
      needs: { requestBody: body?.requestBody === true || headers.some(([, t]) => t.requestBody) },
      request: (x) => {
        const out: Record<string, string> = {};
        if (contentType !== null) out['content-type'] = contentType;
        for (const [name, t] of headers) out[name] = t(x);
        x.respond(status, out, body === null ? '' : body(x));
      },
    };
  },
});
