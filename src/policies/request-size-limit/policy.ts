import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, type Exchange } from '../sdk.ts';

const schema = Type.Object(
  {
    maxBytes: Type.Integer({ minimum: 0, maximum: 1024 ** 4, description: "Most request body bytes accepted (only lowers the API's maxRequestBodyBytes)" }),
  },
  { additionalProperties: false },
);

/** Kong request-size-limiting; Azure validate-content `max-size`; Apiman has none (its transfer quota counts bytes per period). */
export const requestSizeLimit = definePolicy<Static<typeof schema>>({
  name: 'request-size-limit',
  summary: 'Refuses request bodies over a number of bytes with 413, without buffering them.',
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config) {
    const max = config.maxBytes;
    const tooLarge = (x: Exchange) => x.refuse('PORTICO_BODY_TOO_LARGE', `The request body exceeds ${max} bytes`);
    return {
      beforeAccess: true,
      request(x) {
        // A chunked body is counted while it streams to the backend (or while a later policy
        // reads it): the limit travels with the exchange, nothing is buffered here.
        if (x.requestBodyLimit > max) x.requestBodyLimit = max;
        const length = x.requestHeaders.get('content-length');
        // Node's parser refused invalid and conflicting lengths; the body cannot be longer.
        if (length !== undefined && Number(length) > max) return tooLarge(x);
        // At plan or application scope a policy earlier in the chain may have read it already.
        if (x.requestBody !== null && x.requestBody.length > max) tooLarge(x);
      },
    };
  },
});
