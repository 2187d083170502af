import { Type, type Static } from 'typebox';
import { compileExpression, compileTemplate, ExpressionError } from '../expressions/index.ts';
import { readsBody, scopeOf } from '../scope.ts';
import { definePolicy, docBeside, PolicyConfigError, type CompileEnv, type Exchange } from '../sdk.ts';
import { HEADER_NAME } from '../values.ts';
import type { WebhookEndpoint } from '../webhooks.ts';

const schema = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://[^/?#{]', description: 'Absolute http(s) URL of the webhook; may hold named values (`https://hooks.example/{{hookToken}}`), never expressions' }),
    headers: Type.Optional(
      Type.Record(Type.String({ pattern: HEADER_NAME, maxLength: 200 }), Type.String({ maxLength: 4096 }), {
        maxProperties: 20,
        description: 'Request headers sent to the webhook; values may hold named values (`Bearer {{hookSecret}}`)',
      }),
    ),
    document: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4096, description: 'CEL expression giving the JSON document of one call, evaluated after the answer was sent (default: the standard record)' }),
    ),
    maxBatch: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Most documents in one POST (default 50)' })),
    maxDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000, description: 'Longest wait, in milliseconds, for a batch to fill (default 1000)' })),
    queueMax: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Documents held while the webhook is slow or down; beyond, new ones are dropped and counted (default 10000)' })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'Further attempts of a batch the webhook failed (network error, 429, 5xx), with back-off (default 3)' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: "Longest wait, in milliseconds, for the webhook's answer (default 10000)" })),
  },
  { additionalProperties: false },
);

/** A value with named values only: batches mix calls, so nothing may depend on one of them. */
function constant(source: string, env: CompileEnv, pointer: string): string {
  const t = compiled(() => compileTemplate(source, env.namedValues), pointer);
  if (t.constant === null) throw new PolicyConfigError(pointer, 'may hold named values but no expression: one POST carries many calls');
  return t.constant;
}

function compiled<T>(fn: () => T, pointer: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ExpressionError) throw new PolicyConfigError(pointer, error.message);
    throw error;
  }
}

/**
 * The document expression, evaluated once the answer was sent: `response` is the answer the
 * client got, even when no response phase ran (a refusal, or a chain without response policies).
 */
function documentOf(source: string): (x: Exchange) => unknown {
  const e = compiled(() => compileExpression(source), '/document');
  const uses = e.uses;
  return (x) => {
    const scope = scopeOf(x, uses);
    if (uses.has('response') && scope.response === undefined) return e.evaluate({ ...scope, response: { status: x.status, headers: x.responseHeaders.toRecord() } });
    return e.evaluate(scope);
  };
}

/** The standard record: who called what and how it went; never a header, key or body. */
function record(x: Exchange, path: string, started: number, time: string, bytesIn: number, bytesOut: number): Record<string, unknown> {
  const c = x.consumer;
  return {
    time,
    requestId: x.requestId,
    api: { id: x.api.id, name: x.api.name, version: x.api.version },
    operation: x.operation === null ? null : { id: x.operation.id, method: x.operation.method, path: x.operation.path },
    method: x.method,
    path,
    status: x.status,
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
    errorCode: x.errorCode,
    bytesIn,
    bytesOut,
    consumer: c === null ? null : { applicationId: c.applicationId, contractId: c.contractId, productId: c.productId, planId: c.planId, plan: c.plan },
  };
}

/** Azure log-to-eventhub; Kong http-log; Apiman none (its metrics go to Elasticsearch). */
export const logToWebhook = definePolicy<Static<typeof schema>>({
  name: 'log-to-webhook',
  summary: 'Sends a JSON record of every call to a webhook, batched and off the request path.',
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config, env) {
    const url = constant(config.url, env, '/url');
    // The schema pins a literal scheme and host start, so this holds with empty named values too.
    if (!URL.canParse(url)) throw new PolicyConfigError('/url', 'is not a URL once its named values are filled in');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = constant(value, env, `/headers/${name.replaceAll('~', '~0')}`);
    const endpoint: WebhookEndpoint = Object.freeze({
      id: env.policyId,
      url,
      headers: Object.freeze(headers),
      maxBatch: config.maxBatch ?? 50,
      maxDelayMs: config.maxDelayMs ?? 1000,
      queueMax: config.queueMax ?? 10_000,
      retries: config.retries ?? 3,
      timeoutMs: config.timeoutMs ?? 10_000,
    });
    const source = config.document;
    const document = source === undefined ? null : documentOf(source);
    return {
      needs: { requestBody: source !== undefined && readsBody(source, 'request'), responseBody: source !== undefined && readsBody(source, 'response') },
      request: (x) => {
        const sender = x.services.webhooks;
        if (sender === null) return;
        const started = performance.now();
        const time = new Date().toISOString();
        const path = x.path;
        x.onDone((info) => {
          // The status the client got (a refusal's too), for the record and for `response.status`.
          x.status = info.status;
          let doc: unknown;
          try {
            doc = document === null ? record(x, path, started, time, info.bytesIn, info.bytesOut) : document(x);
          } catch (error) {
            x.services.warn(`log-to-webhook (${endpoint.id}): the document expression failed`, { error: (error as Error).message });
            return;
          }
          sender.send(endpoint, doc);
        });
      },
    };
  },
});
