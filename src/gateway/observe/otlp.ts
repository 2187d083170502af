/**
 * One server span per sampled call, exported as OTLP/HTTP JSON
 * (https://opentelemetry.io/docs/specs/otlp/#otlphttp): hex ids, nanosecond times as decimal
 * strings. Spans wait in a bounded queue and leave in batches from a timer, one request in flight;
 * a full queue drops (and counts) spans instead of growing, and a failed export is counted, not
 * retried — a trace backend that is down never slows or grows the gateway.
 */
import type { CallObserver, CallTrack } from '../analytics/track.ts';
import { isSampled } from './trace-context.ts';

export interface OtlpOptions {
  /** Collector base URL (`/v1/traces` is appended) or the full traces URL. */
  endpoint: string;
  serviceName?: string;
  /** Export at least this often (ms). Default 1000. */
  flushMs?: number;
  /** Spans waiting for export at most; more are dropped. Default 4096. */
  maxQueue?: number;
  /** Spans per request. Default 512. */
  maxBatch?: number;
  timeoutMs?: number;
}

export interface SpanStats {
  exported: number;
  dropped: number;
  failed: number;
}

/** What a span needs, copied at the end of the call (the call's request objects are let go). */
interface PendingSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  startMs: number;
  durationMs: number;
  method: string;
  route: string;
  path: string;
  status: number;
  api: string;
  apiName: string;
  application: string | null;
  requestId: string;
  errorCode: string | null;
}

type Attribute = { key: string; value: { stringValue: string } | { intValue: string } };

export class OtlpSpanExporter implements CallObserver {
  readonly #url: string;
  readonly #opts: Required<Omit<OtlpOptions, 'endpoint'>>;
  readonly #timer: NodeJS.Timeout;
  readonly #resource: { attributes: Attribute[] };
  #queue: PendingSpan[] = [];
  #inFlight: Promise<void> | null = null;
  readonly stats: SpanStats = { exported: 0, dropped: 0, failed: 0 };

  constructor(options: OtlpOptions) {
    this.#url = tracesUrl(options.endpoint);
    this.#opts = { serviceName: 'portico-gateway', flushMs: 1000, maxQueue: 4096, maxBatch: 512, timeoutMs: 10_000, ...options };
    this.#resource = { attributes: [str('service.name', this.#opts.serviceName), str('process.pid', String(process.pid))] };
    this.#timer = setInterval(() => void this.flush(), this.#opts.flushMs);
    this.#timer.unref();
  }

  done(call: CallTrack): void {
    const span = call.span;
    if (!isSampled(span)) return;
    if (this.#queue.length >= this.#opts.maxQueue) {
      this.stats.dropped++;
      return;
    }
    this.#queue.push({
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      traceState: span.state,
      // The monotonic clock, placed on the wall clock once per process: sub-millisecond starts.
      startMs: performance.timeOrigin + call.start,
      durationMs: call.gatewayLatencyMs,
      method: call.req.method ?? '',
      route: call.route.template,
      path: call.path,
      status: call.status,
      api: call.route.apiId,
      apiName: call.route.api.name,
      application: call.context?.applicationId ?? null,
      requestId: call.requestId,
      errorCode: call.errorCode,
    });
  }

  /** Sends what is queued, one batch after the other; resolves when done trying. */
  flush(): Promise<void> {
    this.#inFlight ??= this.#send().finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  async #send(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#opts.maxBatch);
      try {
        const res = await fetch(this.#url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(this.#encode(batch)),
          signal: AbortSignal.timeout(this.#opts.timeoutMs),
        });
        await res.arrayBuffer();
        if (res.ok) this.stats.exported += batch.length;
        else this.stats.failed += batch.length;
      } catch {
        this.stats.failed += batch.length;
        return; // unreachable: try the rest at the next flush
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  #encode(batch: PendingSpan[]): unknown {
    return {
      resourceSpans: [
        {
          resource: this.#resource,
          scopeSpans: [{ scope: { name: 'portico.gateway' }, spans: batch.map(toSpan) }],
        },
      ],
    };
  }
}

function toSpan(s: PendingSpan): unknown {
  const attributes: Attribute[] = [
    str('http.request.method', s.method),
    int('http.response.status_code', s.status),
    str('http.route', s.route),
    str('url.path', s.path),
    str('portico.api', s.api),
    str('portico.api.name', s.apiName),
    str('portico.request_id', s.requestId),
  ];
  if (s.application !== null) attributes.push(str('portico.application', s.application));
  if (s.errorCode !== null) attributes.push(str('portico.error_code', s.errorCode));
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId === null ? {} : { parentSpanId: s.parentSpanId }),
    ...(s.traceState === null ? {} : { traceState: s.traceState }),
    name: `${s.method} ${s.route}`,
    kind: 2, // SPAN_KIND_SERVER
    startTimeUnixNano: nanos(s.startMs),
    endTimeUnixNano: nanos(s.startMs + s.durationMs),
    attributes,
    // Server spans are errors for 5xx only (OpenTelemetry HTTP semantic conventions); unset otherwise.
    status: s.status >= 500 ? { code: 2 } : {},
  };
}

/** Milliseconds (fractional) since the epoch as a decimal nanosecond string, without float overflow. */
export function nanos(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}

function str(key: string, value: string): Attribute {
  return { key, value: { stringValue: value } };
}

function int(key: string, value: number): Attribute {
  return { key, value: { intValue: String(value) } };
}

function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}
