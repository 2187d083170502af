import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestContext } from '../access.ts';
import type { SpanContext } from '../observe/trace-context.ts';
import type { CompiledRoute } from '../runtime.ts';
import type { CallFigures } from './buffer.ts';
import type { ShipperStats } from './shipper.ts';

/** Something told about every finished call: metrics, analytics, spans, access log. */
export interface CallObserver {
  done(call: CallTrack): void;
}

/** Where finished calls' figures go (the analytics shipper), told like any observer. */
export interface CallSink extends CallObserver {
  /** The shipper's counts, exported as metrics when present. */
  readonly stats?: ShipperStats;
}

/** What the proxy and the policy pipeline mark on a call while it runs. */
export interface CallMarks {
  errorCode: string | null;
  cacheHit: boolean;
  /** Type of the policy whose handler threw. */
  failedPolicy: string | null;
  /** The backend's answer broke off after its head had been sent on. */
  upstreamCut: boolean;
  /** First dispatch to the backend (retries keep this start). */
  backendStarted(): void;
  /** The backend's (final) response head arrived. */
  backendAnswered(): void;
  /** The backend exchange to tell when the client's connection closes (the call's one `close` listener). */
  watchClose(exchange: ClientCloseWatcher): void;
}

/** A backend exchange that stops when its client leaves. */
export interface ClientCloseWatcher {
  clientClosed(): void;
}

/**
 * One routed call being measured: one object and one `close` listener per call. When the response
 * is done the figures are fixed and every observer is told, in order, after the client has its
 * answer — nothing here delays a response.
 */
export class CallTrack implements CallMarks, CallFigures {
  context: RequestContext | null = null;
  errorCode: string | null = null;
  cacheHit = false;
  failedPolicy: string | null = null;
  upstreamCut = false;
  /** Set when the response is done. */
  status = 0;
  gatewayLatencyMs = 0;
  /** Dispatch to response head (time to first byte); null when the backend was not called or never answered. */
  backendLatencyMs: number | null = null;
  bytesOut = 0;
  /** performance.now() at arrival. */
  readonly start = performance.now();
  readonly #at = Date.now();
  #backendStart = -1;
  #exchange: ClientCloseWatcher | null = null;
  readonly #written: number;
  // Kept here: by `close` the response may have let go of its socket (res.socket is null then).
  readonly #socket: Socket;

  constructor(
    readonly observers: readonly CallObserver[],
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly route: CompiledRoute,
    readonly requestId: string,
    /** Declared request body length (Content-Length); chunked uploads count 0. */
    readonly bytesIn: number,
    /** The request path as received, without the query. */
    readonly path: string,
    readonly span: SpanContext,
  ) {
    this.#socket = req.socket;
    this.#written = req.socket.bytesWritten;
    // `on`, not `once`: `close` comes once, and an arrow in an argument costs no wrapper or name.
    res.on('close', () => this.#closed());
  }

  watchClose(exchange: ClientCloseWatcher): void {
    this.#exchange = exchange;
  }

  backendStarted(): void {
    if (this.#backendStart < 0) this.#backendStart = performance.now();
  }

  backendAnswered(): void {
    if (this.#backendStart >= 0) this.backendLatencyMs = performance.now() - this.#backendStart;
  }

  get clientIp(): string {
    return this.#socket.remoteAddress ?? '';
  }

  /** Arrival as milliseconds since the epoch. */
  get startedAt(): number {
    return this.#at;
  }

  get organizationId(): string {
    return this.route.organizationId;
  }

  get apiId(): string {
    return this.route.apiId;
  }

  get operationId(): string | null {
    return this.route.operationId;
  }

  get productId(): string | null {
    return this.context?.productId ?? null;
  }

  get planId(): string | null {
    return this.context?.planId ?? null;
  }

  get applicationId(): string | null {
    return this.context?.applicationId ?? null;
  }

  get userId(): string | null {
    return this.context?.userId ?? null;
  }

  get method(): string {
    return this.req.method ?? '';
  }

  #closed(): void {
    const res = this.res;
    // A response cut before its head was sent never reached the client: 499 in the figures.
    this.status = res.headersSent ? res.statusCode : 499;
    this.gatewayLatencyMs = performance.now() - this.start;
    // Bytes written on the connection during this exchange: the whole response, head included.
    this.bytesOut = Math.max(0, this.#socket.bytesWritten - this.#written);
    const observers = this.observers;
    for (let i = 0; i < observers.length; i++) {
      try {
        observers[i]!.done(this);
      } catch {
        // An exporter's bug must not end the worker (this runs in an event listener) nor starve
        // the observers after it; exporters count their own failures.
      }
    }
    this.#exchange?.clientClosed();
  }
}
