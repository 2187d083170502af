/**
 * The request path: reserved health endpoints, route lookup on the current runtime, request
 * checks that need no I/O, access control, then the proxy call. Everything here is synchronous
 * except a bearer token's first verification (then the request continues when it resolves); the
 * only other thing a request waits for is the backend.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { authorize, type Outcome } from './access.ts';
import type { CompiledSnapshot } from './compile.ts';
import { addForwarding, copyRequestHeaders, newSeen, type SeenHeaders } from './headers.ts';
import { limitBody } from './body-limit.ts';
import { sendProblem } from './problem.ts';
import { ProxyCall } from './proxy.ts';
import { isSafePath, parseTarget, stripSegments, type RequestTarget } from './request-path.ts';
import type { CompiledRoute } from './runtime.ts';
import { isDenial } from './tokens.ts';
import { CallTrack, type CallObserver } from './analytics/track.ts';
import type { GatewayMetrics } from './observe/metrics.ts';
import { spanContext } from './observe/trace-context.ts';
import type { ErrorCode } from '../core/errors.ts';
import { startPipeline, type PipelineStart } from './pipeline/driver.ts';
import { startBeforeAccess, type EarlyStart } from './pipeline/early.ts';
import { traceFor } from './pipeline/trace-access.ts';
import type { TraceRecorder } from './pipeline/trace.ts';
import type { PolicyServices } from '../policies/sdk.ts';

export interface RuntimeHolder {
  current: CompiledSnapshot | null;
  /** Told about every routed call when it is done: metrics first, then analytics, spans, access log. */
  observers: readonly CallObserver[];
  metrics: GatewayMetrics;
  /** What policies get to work with (counters, caches, webhooks, a logger). */
  services: PolicyServices;
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
  if (rt === null) return unrouted(holder, res, 'PORTICO_NOT_READY', requestId);
  const target = parseTarget(url);
  if (target === null) return unrouted(holder, res, 'PORTICO_MALFORMED_REQUEST', requestId, 'Unsupported request target');
  if (!isSafePath(target.path)) return unrouted(holder, res, 'PORTICO_PATH_REJECTED', requestId, 'Dot segments and encoded slashes are refused');
  const clientHost = target.host ?? seen.host;
  const hostname = hostnameOf(clientHost);
  const method = req.method!;
  let route = rt.router.find(method, hostname, target.path, target.query, req.rawHeaders);
  let preflightAllow: string | null = null;
  if (route === null) {
    const allow = rt.router.allowed(hostname, target.path, target.query, req.rawHeaders);
    if (allow.length === 0) return unrouted(holder, res, 'PORTICO_ROUTE_NOT_FOUND', requestId);
    // A CORS preflight to an API without OPTIONS operations belongs to the operation it asks
    // about (Azure API Management does the same); its before-access policies may answer it.
    const wanted = method === 'OPTIONS' ? req.headers['access-control-request-method'] : undefined;
    route = wanted === undefined ? null : rt.router.find(wanted.toUpperCase(), hostname, target.path, target.query, req.rawHeaders);
    if (route === null || (route.policies?.early ?? null) === null) return unrouted(holder, res, 'PORTICO_METHOD_NOT_ALLOWED', requestId, undefined, ['allow', allow.join(', ')]);
    preflightAllow = allow.join(', ');
  }
  const span = spanContext(seen.traceparent, seen.tracestate);
  const track = new CallTrack(holder.observers, req, res, route, requestId, seen.contentLength > 0 ? seen.contentLength : 0, target.path, span);
  const early = route.policies?.early ?? null;
  if (early !== null) {
    const mine: SeenHeaders = { ...seen };
    const anonymous = { applicationId: null, contractId: null, productId: null, planId: null, plan: null, userId: null, claims: null, query: target.query };
    const path = stripSegments(target.path, route.prefixSegments);
    const start: EarlyStart = { req, res, route, requestId, headers, seen: mine, clientHost, path, context: anonymous, services: holder.services, trace: null, track, span, access: rt.access, early, preflightAllow };
    if (mine.traceToken === null) return startBeforeAccess(start);
    return withTrace(holder, route, requestId, mine.traceToken, mine, res, track, (trace) => startBeforeAccess({ ...start, trace }));
  }
  const max = route.maxBodyBytes;
  if (seen.contentLength > max) {
    track.errorCode = 'PORTICO_BODY_TOO_LARGE';
    // Refused before reading a byte (and before 100 Continue, RFC 9110 §10.1.1).
    return sendProblem(res, 'PORTICO_BODY_TOO_LARGE', requestId, `The request body exceeds ${max} bytes`, undefined, true);
  }
  const outcome = authorize(rt.access, route.apiId, route.access, headers, target.query);
  if (outcome instanceof Promise) {
    // `seen` is shared by every request: keep this request's copy across the wait.
    const mine: SeenHeaders = { ...seen };
    outcome
      .then((o) => {
        if (!res.destroyed) proceed(holder, req, res, route, requestId, headers, mine, clientHost, target, o, track);
      })
      // A throw anywhere above is answered here: an unhandled rejection would end the worker.
      .catch(() => {
        track.errorCode = 'PORTICO_INTERNAL';
        if (!res.headersSent) sendProblem(res, 'PORTICO_INTERNAL', requestId, undefined, undefined, mine.chunked || mine.contentLength > 0);
        else res.destroy();
      });
    return;
  }
  proceed(holder, req, res, route, requestId, headers, seen, clientHost, target, outcome, track);
}

function proceed(
  holder: RuntimeHolder,
  req: IncomingMessage,
  res: ServerResponse,
  route: CompiledRoute,
  requestId: string,
  headers: string[],
  s: SeenHeaders,
  clientHost: string,
  target: RequestTarget,
  outcome: Outcome,
  track: CallTrack,
): void {
  const unread = s.chunked || s.contentLength > 0;
  if (isDenial(outcome)) {
    track.errorCode = outcome.denied;
    return sendProblem(res, outcome.denied, requestId, outcome.detail, outcome.challenge === undefined ? undefined : ['www-authenticate', outcome.challenge], unread);
  }
  track.context = outcome;
  const policies = route.policies;
  if (policies !== null) {
    const chain = policies.chainFor(outcome);
    if (chain.parts.length > 0) {
      const path = stripSegments(target.path, route.prefixSegments);
      const start: PipelineStart = { req, res, route, requestId, headers, seen: s, clientHost, path, context: outcome, services: holder.services, trace: null, track, span: track.span };
      if (s.traceToken === null) startPipeline(start, chain);
      else withTrace(holder, route, requestId, s.traceToken, s, res, track, (trace, mine) => startPipeline({ ...start, trace, seen: mine }, chain));
      return;
    }
  }
  const max = route.maxBodyBytes;
  const backend = route.backend;
  const upstream = backend.balancer.pick(null);
  if (upstream === null) {
    track.errorCode = 'PORTICO_CIRCUIT_OPEN';
    return sendProblem(res, 'PORTICO_CIRCUIT_OPEN', requestId, undefined, undefined, unread);
  }
  const hostIndex = backend.preserveHost ? -1 : headers.length + 1;
  addForwarding(headers, s, {
    clientIp: req.socket.remoteAddress ?? '',
    clientHost,
    proto: 'http',
    upstreamHost: backend.preserveHost ? clientHost : upstream.authority,
    requestId,
    span: track.span,
  });
  // undici streams async iterables as chunked bodies; its typings only list Readable.
  const body = s.chunked ? (limitBody(req, max) as unknown as Readable) : s.contentLength > 0 ? req : null;
  if (s.expectContinue) res.writeContinue();
  const rest = stripSegments(target.path, route.prefixSegments);
  const call = new ProxyCall(req, res, route, upstream, requestId, headers, hostIndex, body, rest, outcome.query === null ? '' : '?' + outcome.query, track);
  call.context = outcome;
  call.start();
}

/** A problem answered before any API matched: counted by code, recorded nowhere else. */
function unrouted(holder: RuntimeHolder, res: ServerResponse, code: ErrorCode, requestId: string, detail?: string, extra?: readonly string[]): void {
  holder.metrics.refused(code);
  sendProblem(res, code, requestId, detail, extra, hasBody());
}

/** Starts with the admin trace recorder for a request that carries a trace token (once it is verified). */
function withTrace(
  holder: RuntimeHolder,
  route: CompiledRoute,
  requestId: string,
  token: string,
  s: SeenHeaders,
  res: ServerResponse,
  track: CallTrack,
  start: (trace: TraceRecorder | null, s: SeenHeaders) => void,
): void {
  const trace = traceFor(holder.current!.access, token, route.organizationId, route.apiId, requestId);
  if (!(trace instanceof Promise)) return start(trace, s);
  // `seen` is shared by every request: keep this request's copy across the wait.
  const mine: SeenHeaders = s === seen ? { ...s } : s;
  trace
    .then((t) => {
      if (!res.destroyed) start(t, mine);
    })
    .catch(() => {
      track.errorCode = 'PORTICO_INTERNAL';
      sendProblem(res, 'PORTICO_INTERNAL', requestId, undefined, undefined, mine.chunked || mine.contentLength > 0);
    });
}

/** Whether the client sent a body we are not going to read (then the connection is closed). */
function hasBody(): boolean {
  return seen.chunked || seen.contentLength > 0;
}
