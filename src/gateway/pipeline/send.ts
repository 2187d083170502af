/**
 * Writing what the chain decided: an answer (a policy's, or the backend's after a body-reading
 * response phase) with its real length, or a refusal as RFC 9457 problem+json after the error
 * phase has added its headers (CORS, RateLimit-*, Retry-After).
 */
import { ERRORS, PROBLEM_CONTENT_TYPE, problem } from '../../core/errors.ts';
import type { Chain } from './chain.ts';
import type { GatewayExchange } from './exchange.ts';
import { runBackward } from './runner.ts';
import { TRACE_HEADER } from './trace.ts';

export function sendAnswer(x: GatewayExchange, backendUrl: string | null): void {
  const res = x.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = x.responseBody ?? EMPTY;
  const h = x.responseHeaders;
  h.remove('transfer-encoding');
  // RFC 9110 §8.6: no Content-Length on a 204 (a preflight answer, a mock); a 304 keeps the backend's.
  if (x.status === 204) h.remove('content-length');
  else if (x.status !== 304) h.set('content-length', String(body.length));
  if (!h.has('x-request-id')) h.set('x-request-id', x.requestId);
  if (x.trace !== null) h.set(TRACE_HEADER, x.trace.encode({ url: backendUrl, status: x.outcome === 'answered' ? null : x.status }));
  close(x);
  x.bytesOut = body.length;
  x.track.cacheHit = x.cacheHit;
  res.writeHead(x.status, h.list);
  res.end(body);
}

/** Runs the error phase (once), then answers with the problem. */
export function sendRefusal(x: GatewayExchange, chain: Chain): void {
  if (x.phase !== 'error' && chain.hasError) {
    const step = runBackward(x, chain, 'error');
    if (step !== undefined) {
      step.then(
        () => writeProblem(x),
        () => writeProblem(x),
      );
      return;
    }
  }
  writeProblem(x);
}

function writeProblem(x: GatewayExchange): void {
  const res = x.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const code = x.errorCode ?? 'PORTICO_INTERNAL';
  const body = JSON.stringify(problem(code, x.errorDetail, { requestId: x.requestId, ...x.errorExtra }));
  const h = x.responseHeaders;
  for (const name of ['content-type', 'content-length', 'transfer-encoding', 'content-encoding', 'etag', 'last-modified']) h.remove(name);
  h.set('content-type', PROBLEM_CONTENT_TYPE);
  h.set('content-length', String(Buffer.byteLength(body)));
  h.set('x-request-id', x.requestId);
  if (!h.has('cache-control')) h.set('cache-control', 'no-store');
  if (x.trace !== null) h.set(TRACE_HEADER, x.trace.encode({ url: null, status: null }));
  close(x);
  x.bytesOut = Buffer.byteLength(body);
  x.track.errorCode = code;
  res.writeHead(ERRORS[code].status, h.list);
  res.end(body);
}

/** A body the client sent and nobody read: the connection cannot carry another request. */
function close(x: GatewayExchange): void {
  if (x.unreadBody || x.closeAfter) {
    x.responseHeaders.set('connection', 'close');
    x.res.shouldKeepAlive = false;
  }
}

const EMPTY = Buffer.alloc(0);
