import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, PorticoError, problem, type ErrorCode } from '../core/errors.ts';

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Turns Ajv's errors into `{ pointer, message }` items that name the offending field. */
function violations(issues: AjvIssue[], part: string): { pointer: string; message: string }[] {
  return issues.map((e) => {
    const extra = e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : '';
    const message = e.keyword === 'additionalProperties' ? 'unknown field' : (e.message ?? 'invalid');
    return { pointer: `${part === 'body' ? '' : `${part}:`}${e.instancePath}${extra}` || '/', message };
  });
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'PORTICO_MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'PORTICO_MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PORTICO_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'PORTICO_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'PORTICO_BAD_REQUEST',
};

/** RFC 9457 members (and our code) that an error's details must not overwrite. */
const RESERVED = new Set(['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId']);

export function sendProblem(reply: FastifyReply, code: ErrorCode, detail: string | undefined, extra: Record<string, unknown> = {}): FastifyReply {
  // A detail named like a standard member (e.g. a contract's `status`) would otherwise replace the HTTP status.
  const extensions = Object.fromEntries(Object.entries(extra).filter(([key]) => !RESERVED.has(key)));
  const body = problem(code, detail, { instance: reply.request.url, requestId: reply.request.id, ...extensions });
  if (code === 'PORTICO_UNAUTHENTICATED' || code === 'PORTICO_INVALID_CLIENT') reply.header('www-authenticate', 'Bearer realm="portico"');
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Every error leaves as RFC 9457 problem+json with a stable code; unexpected ones are logged. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof PorticoError) return sendProblem(reply, error.code, error.message, error.details ?? {});
  if (error.validation) {
    const errors = violations(error.validation as unknown as AjvIssue[], error.validationContext ?? 'body');
    return sendProblem(reply, 'PORTICO_VALIDATION_FAILED', errors.map((e) => `${e.pointer} ${e.message}`).join('; '), { errors });
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return sendProblem(reply, mapped, error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return sendProblem(reply, 'PORTICO_BAD_REQUEST', error.message);
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, 'PORTICO_INTERNAL', 'An unexpected error occurred; the request id identifies it in the logs');
}
