/**
 * One proxied exchange: an undici dispatch handler that streams the backend's answer to the client
 * with back-pressure, records the outcome on the target's circuit breaker, and retries connection
 * failures of replayable requests on the next target (retry.ts). One object per request; no
 * promise, no buffering.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { PorticoError, type ErrorCode } from '../core/errors.ts';
import type { RequestContext } from './access.ts';
import type { CallMarks } from './analytics/track.ts';
import { responseHeaders } from './headers.ts';
import { sendProblem } from './problem.ts';
import type { CompiledRoute, RouteTarget } from './runtime.ts';
import { isIdempotent, isRetryableError } from './upstream/retry.ts';
import { upstreamErrorCode } from './upstream/timeout.ts';

export class ProxyCall implements Dispatcher.DispatchHandler {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: CompiledRoute;
  readonly requestId: string;
  readonly options: Dispatcher.DispatchOptions;
  /** Index of the Host value in the header list when the target's host is sent, else -1. */
  readonly hostIndex: number;
  /** Path below the API's base path and the raw query (`?a=1` or ``). */
  readonly rest: string;
  readonly search: string;
  target: RouteTarget;
  /** The caller as access control established it (application, contract, claims). */
  context: RequestContext | null = null;
  /** The call being measured: backend latency, upstream failures; it tells this exchange when the client leaves. */
  readonly track: CallMarks;
  attempts = 0;
  protected abort: ((err?: Error) => void) | null = null;
  protected resume: (() => void) | null = null;
  protected responded = false;
  protected finished = false;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    route: CompiledRoute,
    target: RouteTarget,
    requestId: string,
    headers: string[],
    hostIndex: number,
    body: Dispatcher.DispatchOptions['body'],
    rest: string,
    search: string,
    track: CallMarks,
  ) {
    this.req = req;
    this.res = res;
    this.route = route;
    this.target = target;
    this.requestId = requestId;
    this.hostIndex = hostIndex;
    this.rest = rest;
    this.search = search;
    this.options = { method: req.method!, path: (target.basePath + rest || '/') + search, headers, body };
    this.track = track;
    track.watchClose(this);
  }

  start(): void {
    this.attempts++;
    this.track.backendStarted();
    try {
      this.target.pool.dispatch(this.options, this);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.finished) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx from the backend: not forwarded (RFC 9110 §15.2)
    this.observe(statusCode);
    this.track.backendAnswered();
    this.responded = true;
    this.resume = resume;
    const res = this.res;
    if (res.destroyed) return false;
    res.writeHead(statusCode, responseHeaders(rawHeaders, this.requestId));
    return true;
  }

  /** Passive health: gateway-class answers count against the target (RFC 9110 §15.6.3-5). */
  protected observe(statusCode: number): void {
    if (statusCode === 502 || statusCode === 503 || statusCode === 504) this.target.breaker.failure(Date.now());
    else this.target.breaker.success();
  }

  onData(chunk: Buffer): boolean {
    const ok = this.res.write(chunk);
    if (!ok) this.res.once('drain', () => this.resume?.());
    return ok;
  }

  onComplete(): void {
    this.finished = true;
    this.res.end();
  }

  onError(err: Error): void {
    const res = this.res;
    if (this.finished) return;
    const clientGone = res.destroyed || this.req.destroyed && !this.req.complete;
    if (err instanceof PorticoError) {
      // Our own body limit tripped while streaming the request.
      this.finished = true;
      this.fail(err.code, err.message, true);
      return;
    }
    if (clientGone) {
      this.finished = true;
      res.destroy();
      return;
    }
    if (!this.responded) {
      this.target.breaker.failure(Date.now());
      if (this.canRetry(err) && this.again()) return;
      this.finished = true;
      this.fail(upstreamErrorCode(err));
      return;
    }
    // The response already started: the only honest signal left is an incomplete message.
    this.finished = true;
    this.track.upstreamCut = true;
    res.destroy();
  }

  /** Answers with a problem once the exchange with the backend failed. */
  protected fail(code: ErrorCode, detail?: string, close = false): void {
    this.track.errorCode = code;
    sendProblem(this.res, code, this.requestId, detail, undefined, close);
  }

  protected canRetry(err: Error): boolean {
    return (
      this.attempts <= this.route.backend.retries &&
      this.options.body === null &&
      isIdempotent(this.req.method!) &&
      isRetryableError(err)
    );
  }

  /** Starts the next attempt on the next target; false when there is none (breakers open). */
  protected again(): boolean {
    const next = this.nextTarget();
    if (next === null) return false;
    this.switchTarget(next);
    this.start();
    return true;
  }

  protected nextTarget(): RouteTarget | null {
    return this.route.backend.balancer.pick(this.route.backend.targets.length > 1 ? this.target : null);
  }

  protected switchTarget(next: RouteTarget): void {
    this.target = next;
    this.abort = null;
    if (this.hostIndex !== -1) (this.options.headers as string[])[this.hostIndex] = next.authority;
    this.options.path = (next.basePath + this.rest || '/') + this.search;
  }

  /** The client's connection closed (told by the call's track). */
  clientClosed(): void {
    if (this.finished) return;
    this.finished = true;
    // The client went away before the answer was complete: stop the upstream exchange.
    this.abort?.(new Error('client closed the connection'));
  }
}
