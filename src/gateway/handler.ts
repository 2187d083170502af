/**
 * The request path: reserved health endpoints, route lookup on the current runtime, request
 * checks that need no I/O, then the proxy call. Everything here is synchronous; the only thing
 * a request ever waits for is the backend.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { CompiledSnapshot } from './compile.ts';
import { addForwarding, copyRequestHeaders, newSeen } from './headers.ts';
import { limitBody } from './body-limit.ts';
import { sendProblem } from './problem.ts';
import { ProxyCall } from './proxy.ts';
import { isSafePath, parseTarget, stripSegments } from './request-path.ts';

export interface RuntimeHolder {
  current: CompiledSnapshot | null;
}

const seen = newSeen();
const HEALTH_BODY = '{"status":"ok"}';

/** `host[:port]` → lower-case host without port (RFC 9110 §7.2); IPv6 literals keep brackets. */
export function hostnameOf(authority: string): string {
  let end = authority.length;
  if (authority.charCodeAt(0) === 91 /* [ */) end = authority.indexOf(']') + 1 || end;
  else {
    const colon = authority.indexOf(':');
    if (colon !== -1) end = colon;
  }
  return authority.slice(0, end).toLowerCase();
}

export function handleRequest(holder: RuntimeHolder, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url!;
  if (url.charCodeAt(1) === 104 /* h */ && (url === '/healthz' || url.startsWith('/healthz?'))) {
    res.writeHead(200, ['content-type', 'application/json', 'content-length', '15', 'cache-control', 'no-store']);
    res.end(HEALTH_BODY);
    return;
  }
  const headers = copyRequestHeaders(req.rawHeaders, seen);
  const requestId = seen.requestId ?? randomUUID();
  const rt = holder.current;
  if (url.charCodeAt(1) === 114 /* r */ && (url === '/readyz' || url.startsWith('/readyz?'))) {
    if (rt === null) sendProblem(res, 'PORTICO_NOT_READY', requestId);
    else {
      const body = `{"status":"ready","revision":${rt.revision}}`;
      res.writeHead(200, ['content-type', 'application/json', 'content-length', String(body.length), 'cache-control', 'no-store']);
      res.end(body);
    }
    return;
  }
  if (rt === null) return sendProblem(res, 'PORTICO_NOT_READY', requestId, undefined, undefined, hasBody());
  const target = parseTarget(url);
  if (target === null) return sendProblem(res, 'PORTICO_MALFORMED_REQUEST', requestId, 'Unsupported request target', undefined, hasBody());
  if (!isSafePath(target.path)) {
    return sendProblem(res, 'PORTICO_PATH_REJECTED', requestId, 'Dot segments and encoded slashes are refused', undefined, hasBody());
  }
  const clientHost = target.host ?? seen.host;
  const hostname = hostnameOf(clientHost);
  const method = req.method!;
  const route = rt.router.find(method, hostname, target.path, target.query, req.rawHeaders);
  if (route === null) {
    const allow = rt.router.allowed(hostname, target.path, target.query, req.rawHeaders);
    if (allow.length === 0) return sendProblem(res, 'PORTICO_ROUTE_NOT_FOUND', requestId, undefined, undefined, hasBody());
    return sendProblem(res, 'PORTICO_METHOD_NOT_ALLOWED', requestId, undefined, ['allow', allow.join(', ')], hasBody());
  }
  const max = route.maxBodyBytes;
  if (seen.contentLength > max) {
    // Refused before reading a byte (and before 100 Continue, RFC 9110 §10.1.1).
    return sendProblem(res, 'PORTICO_BODY_TOO_LARGE', requestId, `The request body exceeds ${max} bytes`, undefined, true);
  }
  const backend = route.backend;
  const upstream = backend.balancer.pick(null);
  if (upstream === null) return sendProblem(res, 'PORTICO_CIRCUIT_OPEN', requestId, undefined, undefined, hasBody());
  const hostIndex = backend.preserveHost ? -1 : headers.length + 1;
  addForwarding(headers, seen, {
    clientIp: req.socket.remoteAddress ?? '',
    clientHost,
    proto: 'http',
    upstreamHost: backend.preserveHost ? clientHost : upstream.authority,
    requestId,
  });
  // undici streams async iterables as chunked bodies; its typings only list Readable.
  const body = seen.chunked ? (limitBody(req, max) as unknown as Readable) : seen.contentLength > 0 ? req : null;
  if (seen.expectContinue) res.writeContinue();
  const rest = stripSegments(target.path, route.prefixSegments);
  new ProxyCall(req, res, route, upstream, requestId, headers, hostIndex, body, rest, target.query === null ? '' : '?' + target.query).start();
}

/** Whether the client sent a body we are not going to read (then the connection is closed). */
function hasBody(): boolean {
  return seen.chunked || seen.contentLength > 0;
}
