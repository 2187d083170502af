import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, PolicyConfigError } from '../sdk.ts';
import { exampleOf } from '../openapi/example.ts';
import { isJson, negotiate } from '../openapi/media.ts';
import { readOperation, responseFor, undescribed, type OperationView } from '../openapi/operation.ts';
import { HEADER_NAME } from '../values.ts';

const schema = Type.Object(
  {
    status: Type.Optional(Type.Integer({ minimum: 200, maximum: 599, description: 'Status to answer with; default: the first 2xx the operation declares (200 with `body`)' })),
    example: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Name of the entry of `examples` to answer with; default: `example`, else the first of `examples`, else one generated from the schema' })),
    headers: Type.Optional(Type.Record(Type.String({ pattern: HEADER_NAME }), Type.String({ maxLength: 8192 }), { additionalProperties: false, description: 'Extra response headers' })),
    body: Type.Optional(Type.String({ maxLength: 1048576, description: 'Answer with this body instead of an example of the OpenAPI description' })),
    contentType: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Content-Type of `body` (default application/json when it is JSON, else text/plain)' })),
  },
  { additionalProperties: false },
);

type Config = Static<typeof schema>;

interface Answer {
  readonly type: string;
  readonly body: Buffer;
}

function isJsonText(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** The declared status a mock answers with: the configured one, else the lowest 2xx (a `2XX` range: 200). */
function statusOf(op: OperationView, configured: number | undefined): number {
  if (configured !== undefined) return configured;
  const ok = [...op.responses.keys()].filter((k) => /^2(\d\d|XX)$/.test(k)).map((k) => (k === '2XX' ? 200 : Number(k)));
  return ok.length > 0 ? Math.min(...ok) : 200;
}

/** One answer per declared media type, rendered at compile time: a request only picks one by Accept. */
function answersOf(op: OperationView, config: Config): { status: number; answers: Map<string, Answer> } {
  const status = statusOf(op, config.status);
  const response = responseFor(op, status);
  if (response === undefined) throw new PolicyConfigError('/status', `the operation declares no response ${status} (nor default)`);
  const answers = new Map<string, Answer>();
  for (const [type, media] of response.content) {
    const example = exampleOf(media, config.example, op.refs);
    if (example === undefined) continue;
    const text = typeof example === 'string' && !isJson(type) ? example : JSON.stringify(example);
    // A range (`*/*`, `application/*`) is no Content-Type: say what the example is.
    const concrete = type.includes('*') ? (typeof example === 'string' ? 'text/plain; charset=utf-8' : 'application/json') : type;
    answers.set(type, { type: concrete, body: Buffer.from(text) });
  }
  return { status, answers };
}

/** Azure mock-response; Kong mocking (Enterprise, from an OpenAPI spec); Apiman has none built in. */
export const mockResponse = definePolicy<Config>({
  name: 'mock-response',
  summary: "Answers without calling the backend, from the operation's OpenAPI examples or from the given content.",
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  perOperation: true,
  compile(config, env) {
    const extra = config.headers ?? {};
    if (config.body !== undefined) {
      const body = config.body;
      const type = config.contentType ?? (isJsonText(body) ? 'application/json' : 'text/plain; charset=utf-8');
      const status = config.status ?? 200;
      return { request: (x) => x.respond(status, { 'content-type': type, ...extra }, body) };
    }
    const op = readOperation(env.operationSpec);
    if (op === null) return undescribed('mock-response');
    const { status, answers } = answersOf(op, config);
    const types = [...answers.keys()];
    return {
      request(x) {
        const chosen = negotiate(types, x.requestHeaders.get('accept'));
        const answer = chosen === undefined ? undefined : answers.get(chosen);
        if (answer === undefined) x.respond(status, extra, '');
        else x.respond(status, { 'content-type': answer.type, ...extra }, answer.body);
      },
    };
  },
});
