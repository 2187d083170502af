import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, PolicyConfigError, type RetrySettings } from '../sdk.ts';

const schema = Type.Object(
  {
    attempts: Type.Integer({ minimum: 1, maximum: 10, description: 'Retries after the first attempt (3: up to 4 calls to the backend)' }),
    statuses: Type.Optional(
      Type.Array(Type.Integer({ minimum: 400, maximum: 599 }), {
        uniqueItems: true,
        maxItems: 50,
        description: 'Backend statuses that are retried (default 502, 503, 504); connection failures always are',
      }),
    ),
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000, description: 'Wait before the first retry, in milliseconds (default 100)' })),
    factor: Type.Optional(Type.Number({ minimum: 1, maximum: 10, description: 'Multiplier of the wait after each retry (default 2; 1: constant)' })),
    maxDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 300_000, description: 'Longest wait between two attempts, in milliseconds (default 5000)' })),
    jitter: Type.Optional(Type.Boolean({ description: 'Wait a random time between half the delay and the delay (default false)' })),
    unsafeMethods: Type.Optional(
      Type.Boolean({ description: 'Retry any method, also POST and PATCH, and requests with a body: the body is buffered to be replayed (default false)' }),
    ),
  },
  { additionalProperties: false },
);

const DEFAULT_STATUSES = [502, 503, 504];

/** Azure retry (around forward-request); Kong's upstream `retries`; Apiman none. */
export const retry = definePolicy<Static<typeof schema>>({
  name: 'retry',
  summary: 'Retries the backend call on connection failures and chosen statuses, with exponential back-off.',
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config) {
    const delayMs = config.delayMs ?? 100;
    const maxDelayMs = config.maxDelayMs ?? Math.max(5000, delayMs);
    if (maxDelayMs < delayMs) throw new PolicyConfigError('/maxDelayMs', `must be at least delayMs (${delayMs})`);
    const unsafeMethods = config.unsafeMethods === true;
    const settings: RetrySettings = Object.freeze({
      attempts: config.attempts,
      statuses: new Set(config.statuses ?? DEFAULT_STATUSES),
      delayMs,
      maxDelayMs,
      factor: config.factor ?? 2,
      unsafeMethods,
      jitter: config.jitter === true,
    });
    return {
      // Only a replayed body needs buffering; idempotent calls without a body stream as usual.
      ...(unsafeMethods ? { needs: { requestBody: true } } : {}),
      request: (x) => {
        x.retry = settings;
      },
    };
  },
});
