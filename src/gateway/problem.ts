/**
 * Gateway error responses: RFC 9457 problem+json with the stable `code` and the request id, on a
 * ServerResponse or, before HTTP parsing succeeded (clientError, upgrade), on the raw socket.
 */
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERRORS, PROBLEM_CONTENT_TYPE, problem, type ErrorCode } from '../core/errors.ts';

export function problemBody(code: ErrorCode, requestId: string | undefined, detail?: string): string {
  return JSON.stringify(problem(code, detail, requestId === undefined ? undefined : { requestId }));
}

/**
 * Answers with a problem. `close` asks the client to open a new connection, used when the
 * request body was not read (RFC 9112 §9.6) so the connection cannot carry another request.
 */
export function sendProblem(
  res: ServerResponse,
  code: ErrorCode,
  requestId: string,
  detail?: string,
  extra?: readonly string[],
  close = false,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = problemBody(code, requestId, detail);
  const headers = [
    'content-type', PROBLEM_CONTENT_TYPE,
    'content-length', String(Buffer.byteLength(body)),
    'x-request-id', requestId,
    'cache-control', 'no-store',
  ];
  if (extra !== undefined) headers.push(...extra);
  if (close) {
    headers.push('connection', 'close');
    res.shouldKeepAlive = false;
  }
  res.writeHead(ERRORS[code].status, headers);
  res.end(body);
}

/** Writes a complete HTTP/1.1 problem response on a raw socket and closes it. */
export function writeRawProblem(socket: Duplex, code: ErrorCode, requestId?: string, detail?: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = ERRORS[code].status;
  const body = problemBody(code, requestId, detail);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      (requestId === undefined ? '' : `x-request-id: ${requestId}\r\n`) +
      'connection: close\r\n\r\n' +
      body,
  );
}
