import { Type, type Static } from 'typebox';
import { definePolicy, docBeside } from '../sdk.ts';

const schema = Type.Object(
  {
    readTimeoutMs: Type.Integer({
      minimum: 1,
      maximum: 600_000,
      description: "Longest wait, in milliseconds, for the backend's response head and then between two chunks of its body (replaces the backend's readTimeoutMs)",
    }),
  },
  { additionalProperties: false },
);

/** Azure forward-request `timeout`; Kong service `read_timeout`; Apiman Timeout Policy. */
export const timeout = definePolicy<Static<typeof schema>>({
  name: 'timeout',
  summary: "Replaces the backend's read timeout for an API or operation; beyond it the call answers 504.",
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config) {
    const ms = config.readTimeoutMs;
    return {
      request: (x) => {
        x.timeoutMs = ms;
      },
    };
  },
});
