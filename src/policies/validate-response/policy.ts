import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, type Exchange } from '../sdk.ts';
import { compileContent, contentTypeViolation, type ContentCheck } from '../openapi/content.ts';
import { mediaTypeOf } from '../openapi/media.ts';
import { readOperation, responseFor, undescribed, type ResponseView } from '../openapi/operation.ts';
import { summary, type Violation } from '../openapi/violations.ts';

const schema = Type.Object(
  {
    mode: Type.Optional(
      Type.Enum(['refuse', 'report'] as const, {
        description: 'refuse (default): answer 502 PORTICO_RESPONSE_INVALID instead; report: pass the answer on with a Portico-Response-Invalid header and log a warning',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Response header a `report` mode validation adds. */
export const REPORT_HEADER = 'portico-response-invalid';

/** Statuses and methods whose answers carry no body (RFC 9110 §6.4.1). */
const bodiless = (x: Exchange) => x.method === 'HEAD' || x.status === 204 || x.status === 304;

function hasBody(x: Exchange, buffered: boolean): boolean {
  if (bodiless(x)) return false;
  if (buffered) return x.responseBody !== null && x.responseBody.length > 0;
  const length = x.responseHeaders.get('content-length');
  return length === undefined ? x.responseHeaders.has('transfer-encoding') : length !== '0';
}

/** Header-safe text: visible ASCII only, bounded. */
const headerText = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);

/** Azure validate-content / validate-status-code / validate-headers on outbound; Kong has none built in (response-validator plugins exist); Apiman has none. */
export const validateResponse = definePolicy<Static<typeof schema>>({
  name: 'validate-response',
  summary: "Checks the backend's answer (status, content type, JSON body) against the operation's OpenAPI description.",
  doc: docBeside(import.meta.url),
  phases: ['response'],
  schema,
  perOperation: true,
  compile(config, env) {
    const op = readOperation(env.operationSpec);
    // Without a description the call is refused before the backend is called.
    if (op === null) return undescribed('validate-response');
    const checks = new Map<ResponseView, ContentCheck>();
    for (const r of op.responses.values()) if (r.content.size > 0) checks.set(r, compileContent(r.content, op.dialect, op.refs));
    const buffered = [...checks.values()].some((c) => c.readsBody);
    const report = config.mode === 'report';
    const where = (x: Exchange) => `${x.operation?.method ?? x.method} ${x.operation?.path ?? x.path}`;
    return {
      needs: { responseBody: buffered },
      response(x) {
        const out: Violation[] = [];
        const r = responseFor(op, x.status);
        const check = r === undefined ? undefined : checks.get(r);
        if (r === undefined) out.push({ in: 'status', pointer: '', message: `${x.status} is not declared by the operation` });
        else if (check !== undefined && hasBody(x, buffered)) {
          const type = mediaTypeOf(x.responseHeaders.get('content-type'));
          const encoded = (x.responseHeaders.get('content-encoding') ?? 'identity') !== 'identity';
          if (!check.check(type, encoded ? null : x.responseBody, encoded ? [] : out)) out.push(contentTypeViolation(type, check.declared));
        }
        if (out.length === 0) return;
        if (!report) return x.refuse('PORTICO_RESPONSE_INVALID', summary(out), undefined, { errors: out });
        x.responseHeaders.set(REPORT_HEADER, headerText(summary(out)));
        x.services.warn(`validate-response: the answer to ${where(x)} does not match the API definition`, { api: x.api.id, violations: out.slice(0, 10) });
      },
    };
  },
});
