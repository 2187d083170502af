import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { CallRecord } from '../../domain/analytics.ts';
import type { RequestContext } from '../access.ts';
import type { CompiledRoute } from '../runtime.ts';

/** Where finished calls go (the shipper, or a test's array). */
export interface CallSink {
  record(record: CallRecord): void;
}

/**
 * One routed call being measured. Created only when a sink is configured; it costs one object and
 * one `close` listener per call, and builds the record after the response is done.
 */
export class CallTrack {
  context: RequestContext | null = null;
  errorCode: string | null = null;
  cacheHit = false;
  readonly #start = performance.now();
  readonly #at = Date.now();
  readonly #written: number;
  // Kept here: by `close` the response may have let go of its socket (res.socket is null then).
  readonly #socket: Socket;

  constructor(
    readonly sink: CallSink,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly route: CompiledRoute,
    readonly requestId: string,
    /** Declared request body length (Content-Length); chunked uploads count 0. */
    readonly bytesIn: number,
  ) {
    this.#socket = req.socket;
    this.#written = req.socket.bytesWritten;
    res.once('close', this.#done);
  }

  #done = (): void => {
    const { req, res, route, context } = this;
    this.sink.record({
      at: new Date(this.#at).toISOString(),
      requestId: this.requestId,
      organizationId: route.organizationId,
      apiId: route.apiId,
      operationId: route.operationId,
      productId: context?.productId ?? null,
      planId: context?.plan ?? null,
      applicationId: context?.applicationId ?? null,
      userId: context?.userId ?? null,
      clientIp: this.#socket.remoteAddress ?? '',
      method: req.method ?? '',
      // A response cut before its head was sent never reached the client: 499 in the figures.
      status: res.headersSent ? res.statusCode : 499,
      gatewayLatencyMs: performance.now() - this.#start,
      backendLatencyMs: null,
      bytesIn: this.bytesIn,
      // Bytes written on the connection during this exchange: the whole response, head included.

      bytesOut: Math.max(0, this.#socket.bytesWritten - this.#written),
      cacheHit: this.cacheHit,
      errorCode: this.errorCode,
    });
  };
}
