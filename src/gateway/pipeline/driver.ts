/**
 * A request on a route with policies, after access granted it: request phase, then either the
 * answer a policy gave (through the response phase of the policies that ran), the refusal (through
 * the error phase), or the backend call with the request as the policies left it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { PolicyServices } from '../../policies/sdk.ts';
import type { RequestContext } from '../access.ts';
import { limitBody } from '../body-limit.ts';
import { addForwarding, type SeenHeaders } from '../headers.ts';
import type { CompiledRoute, RouteTarget } from '../runtime.ts';
import type { Chain } from './chain.ts';
import { GatewayExchange } from './exchange.ts';
import { overrideTarget } from './override.ts';
import { PolicyProxyCall } from './policy-call.ts';
import { runBackward, runRequest } from './runner.ts';
import { sendAnswer, sendRefusal } from './send.ts';
import type { TraceRecorder } from './trace.ts';
import type { CallMarks } from '../analytics/track.ts';
import type { SpanContext } from '../observe/trace-context.ts';

/** What the call record needs from the pipeline (analytics). */
export interface PipelineTrack {
  errorCode: string | null;
  cacheHit: boolean;
  /** The caller, once access named it (set here when policies ran before access). */
  context: RequestContext | null;
}

export interface PipelineStart {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: CompiledRoute;
  readonly requestId: string;
  readonly headers: string[];
  readonly seen: SeenHeaders;
  readonly clientHost: string;
  /** Path below the base path. */
  readonly path: string;
  readonly context: RequestContext;
  readonly services: PolicyServices;
  readonly trace: TraceRecorder | null;
  readonly track: PipelineTrack & CallMarks;
  readonly span: SpanContext;
}

export function startPipeline(p: PipelineStart, chain: Chain): void {
  runPipeline(openExchange(p), chain, 0, p.clientHost, p.seen.chunked);
}

/** The exchange of one request, with the forwarding headers added to the list it sends. */
export function openExchange(p: PipelineStart): GatewayExchange {
  const { req, seen } = p;
  addForwarding(p.headers, seen, { clientIp: req.socket.remoteAddress ?? '', clientHost: p.clientHost, proto: 'http', upstreamHost: p.clientHost, requestId: p.requestId, span: p.span });
  const unread = seen.chunked || seen.contentLength > 0;
  const x = new GatewayExchange(req, p.res, p.route, p.requestId, p.headers, p.context, p.path, p.context.query ?? '', p.services, p.trace, unread, seen.expectContinue, p.track);
  x.bytesIn = seen.contentLength > 0 ? seen.contentLength : 0;
  return x;
}

/** Request phase from part `from` (the parts before it ran before access), then the outcome. */
export function runPipeline(x: GatewayExchange, chain: Chain, from: number, clientHost: string, chunked: boolean): void {
  const step = runRequest(x, chain, from);
  if (step === undefined) afterRequest(x, chain, clientHost, chunked);
  else step.then(() => afterRequest(x, chain, clientHost, chunked)).catch(() => internal(x));
}

/** A throw in an asynchronous continuation is answered, never left as an unhandled rejection. */
export function internal(x: GatewayExchange): void {
  if (x.res.headersSent || x.res.destroyed) {
    x.res.destroy();
    return;
  }
  x.fail('PORTICO_INTERNAL');
  x.phase = 'error';
  sendRefusal(x, { parts: [], requestBody: false, responseBody: false, hasResponse: false, hasError: false });
}

export function afterRequest(x: GatewayExchange, chain: Chain, clientHost: string, chunked: boolean): void {
  if (x.res.destroyed) return;
  if (x.outcome === 'refused') return sendRefusal(x, chain);
  if (x.outcome === 'answered') {
    const send = () => (x.outcome === 'refused' ? sendRefusal(x, chain) : sendAnswer(x, null));
    const step = chain.hasResponse ? runBackward(x, chain, 'response') : undefined;
    if (step === undefined) send();
    else step.then(send).catch(() => internal(x));
    return;
  }
  forward(x, chain, clientHost, chunked);
}

function forward(x: GatewayExchange, chain: Chain, clientHost: string, chunked: boolean): void {
  const backend = x.route.backend;
  let target: RouteTarget | null;
  if (x.backendUrl !== null) {
    target = overrideTarget(x.backendUrl, backend.readTimeoutMs, backend.connectTimeoutMs);
    if (target === null) {
      x.fail('PORTICO_POLICY_FAILED', 'The backend URL a policy chose is not an absolute http(s) URL without query');
      return sendRefusal(x, chain);
    }
  } else target = backend.balancer.pick(null);
  if (target === null) {
    x.fail('PORTICO_CIRCUIT_OPEN');
    return sendRefusal(x, chain);
  }
  const list = x.requestHeaders.list;
  // The Host the backend sees: the target's, unless the backend preserves the client's or a
  // policy set one of its own.
  let hostIndex = -1;
  if (!backend.preserveHost || x.backendUrl !== null) {
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === 'host' && list[i + 1] === clientHost) {
        list[i + 1] = target.authority;
        hostIndex = i + 1;
        break;
      }
    }
  }
  if (chain.responseBody) x.requestHeaders.set('accept-encoding', 'identity');
  let body: Readable | Buffer | IncomingMessage | null;
  if (x.bodyRead) {
    body = x.requestBody;
    x.requestHeaders.remove('content-length');
    if (body !== null) x.requestHeaders.set('content-length', String(body.length));
  } else if (x.unreadBody) {
    x.unreadBody = false;
    if (x.expectContinue) x.res.writeContinue();
    body = chunked ? (limitBody(x.req, x.requestBodyLimit) as unknown as Readable) : x.req;
  } else body = null;
  const call = new PolicyProxyCall(x, chain, x.req, x.res, target, list, hostIndex, body);
  call.context = x.context;
  call.start();
}
