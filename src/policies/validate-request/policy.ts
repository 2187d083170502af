import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, type Exchange } from '../sdk.ts';
import { compileContent, contentTypeViolation } from '../openapi/content.ts';
import { mediaTypeOf } from '../openapi/media.ts';
import { readOperation, undescribed } from '../openapi/operation.ts';
import { compileParameters } from '../openapi/parameters.ts';
import { summary, type Violation } from '../openapi/violations.ts';

const schema = Type.Object(
  {
    unspecifiedParameters: Type.Optional(Type.Enum(['ignore', 'refuse'] as const, { description: 'Query parameters the operation does not declare: let them through (default) or list them as violations' })),
    maxBodyBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1073741824, description: "Largest request body accepted (413 beyond); default: the API's maxRequestBodyBytes" })),
  },
  { additionalProperties: false },
);

/** Azure validate-parameters + validate-content + validate-headers; Kong request-validator (OAS mode); Apiman has none built in. */
export const validateRequest = definePolicy<Static<typeof schema>>({
  name: 'validate-request',
  summary: "Refuses calls whose parameters or body do not match the operation's OpenAPI description.",
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  perOperation: true,
  compile(config, env) {
    const op = readOperation(env.operationSpec);
    if (op === null) return undescribed('validate-request');
    const parameters = compileParameters(op, config.unspecifiedParameters === 'refuse');
    const declared = op.requestBody;
    const content = declared === null || declared.content.size === 0 ? null : compileContent(declared.content, op.dialect, op.refs);
    const max = config.maxBodyBytes;
    // Only an operation that declares a body makes the gateway read it.
    const readsBody = declared !== null;
    const checkBody = (x: Exchange, out: Violation[]): Violation | null | 'too-large' => {
      const body = x.requestBody;
      if (body === null || body.length === 0) {
        if (declared?.required === true) out.push({ in: 'body', pointer: '', message: 'is required' });
        return null;
      }
      if (max !== undefined && body.length > max) return 'too-large';
      const type = mediaTypeOf(x.requestHeaders.get('content-type'));
      return content === null || content.check(type, body, out) ? null : contentTypeViolation(type, content.declared);
    };
    return {
      needs: { requestBody: readsBody },
      request(x) {
        const out: Violation[] = [];
        parameters?.(x, out);
        const unsupported = readsBody ? checkBody(x, out) : null;
        if (unsupported === 'too-large') return x.refuse('PORTICO_BODY_TOO_LARGE', `The request body exceeds ${max} bytes`);
        if (unsupported !== null && out.length === 0) return x.refuse('PORTICO_UNSUPPORTED_CONTENT', unsupported.message, undefined, { errors: [unsupported] });
        if (unsupported !== null) out.push(unsupported);
        if (out.length > 0) x.refuse('PORTICO_REQUEST_INVALID', summary(out), undefined, { errors: out });
      },
    };
  },
});
