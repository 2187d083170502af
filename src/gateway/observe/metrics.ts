/**
 * Prometheus metrics of one gateway process, names prefixed `portico_gateway_`. Labels are
 * bounded: API id and name (from the snapshot), method (unknown tokens become `OTHER`), status
 * code, error code (the catalogue), upstream error kind — never a path, a key or a client value.
 * The request path only touches cached children (no label object, no label-string hashing) in
 * the one `close` listener a call already has. A cluster's primary merges every worker's registry
 * (cluster/metrics.ts).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallObserver, CallTrack } from '../analytics/track.ts';
import type { ShipperStats } from '../analytics/shipper.ts';
import type { SpanStats } from './otlp.ts';

type CounterChild = Counter.Internal;
type HistogramChild = Histogram.Internal<string>;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT']);
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const UPSTREAM_KINDS: Record<string, string> = {
  PORTICO_UPSTREAM_TIMEOUT: 'timeout',
  PORTICO_UPSTREAM_UNAVAILABLE: 'unavailable',
  PORTICO_CIRCUIT_OPEN: 'circuit_open',
};

/** Children of one API's series, made on first use. */
interface ApiSeries {
  readonly id: string;
  readonly name: string;
  /** method → status → child. */
  readonly requests: Map<string, Map<number, CounterChild>>;
  readonly gateway: HistogramChild;
  readonly backend: HistogramChild;
  readonly upstream: Map<string, CounterChild>;
  readonly policies: Map<string, CounterChild>;
}

export interface MetricSources {
  analytics?: () => ShipperStats | undefined;
  spans?: () => SpanStats | undefined;
}

export class GatewayMetrics implements CallObserver {
  readonly registry = new Registry();
  readonly #requests: Counter<string>;
  readonly #gatewayLatency: Histogram<string>;
  readonly #backendLatency: Histogram<string>;
  readonly #upstreamErrors: Counter<string>;
  readonly #refusals: Counter<string>;
  readonly #policyFailures: Counter<string>;
  readonly #revision: Gauge<string>;
  // Keyed by the compiled API view: a new snapshot brings new objects, so a renamed API gets
  // series under its new name and the old children are collected with the old snapshot.
  readonly #apis = new WeakMap<object, ApiSeries>();
  readonly #refusalChildren = new Map<string, CounterChild>();

  constructor(sources: MetricSources = {}) {
    const registers = [this.registry];
    this.#requests = new Counter({ name: 'portico_gateway_requests_total', help: 'Calls routed to an API, by API, method and status', labelNames: ['api', 'api_name', 'method', 'status'], registers });
    this.#gatewayLatency = new Histogram({ name: 'portico_gateway_request_duration_seconds', help: 'Time in the gateway from arrival to the last byte of the answer, backend included', labelNames: ['api', 'api_name'], buckets: SECONDS, registers });
    this.#backendLatency = new Histogram({ name: 'portico_gateway_backend_duration_seconds', help: 'Time from the first dispatch to the backend to its response head (retries included)', labelNames: ['api', 'api_name'], buckets: SECONDS, registers });
    this.#upstreamErrors = new Counter({ name: 'portico_gateway_upstream_errors_total', help: 'Calls whose backend exchange failed, by kind: timeout, unavailable, circuit_open, cut', labelNames: ['api', 'api_name', 'kind'], registers });
    this.#refusals = new Counter({ name: 'portico_gateway_refusals_total', help: 'Problem answers by Portico error code (limits, access, validation, upstream, routing)', labelNames: ['code'], registers });
    this.#policyFailures = new Counter({ name: 'portico_gateway_policy_failures_total', help: 'Calls on which a policy handler threw, by API and policy type', labelNames: ['api', 'api_name', 'policy_type'], registers });
    // In a cluster the node reports its oldest worker: converged when this equals the control plane's.
    this.#revision = new Gauge({ name: 'portico_gateway_snapshot_revision', help: 'Revision of the configuration snapshot being served', registers, aggregator: 'min' });
    statsCounter(registers, 'portico_gateway_analytics_records_total', 'Call records by outcome: recorded, dropped (buffer full), shipped, lost (given up)', () => sources.analytics?.());
    statsCounter(registers, 'portico_gateway_spans_total', 'Trace spans by outcome: exported, dropped (queue full), failed (export refused or unreachable)', () => sources.spans?.());
  }

  /** Node.js process metrics too (`portico_gateway_process_…`): for the processes that serve. */
  withProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry, prefix: 'portico_gateway_' });
    return this;
  }

  applied(revision: number): void {
    this.#revision.set(revision);
  }

  /** A problem answered before any API was matched (no route, not ready, bad target). */
  refused(code: string): void {
    let child = this.#refusalChildren.get(code);
    if (child === undefined) this.#refusalChildren.set(code, (child = this.#refusals.labels(code)));
    child.inc();
  }

  done(call: CallTrack): void {
    const s = this.#series(call.route.api);
    const method = METHODS.has(call.req.method!) ? call.req.method! : 'OTHER';
    let byStatus = s.requests.get(method);
    if (byStatus === undefined) s.requests.set(method, (byStatus = new Map()));
    let child = byStatus.get(call.status);
    if (child === undefined) byStatus.set(call.status, (child = this.#requests.labels(s.id, s.name, method, String(call.status))));
    child.inc();
    s.gateway.observe(call.gatewayLatencyMs / 1000);
    if (call.backendLatencyMs !== null) s.backend.observe(call.backendLatencyMs / 1000);
    const code = call.errorCode;
    if (code !== null) {
      this.refused(code);
      const kind = UPSTREAM_KINDS[code];
      if (kind !== undefined) this.#upstream(s, kind);
    }
    if (call.upstreamCut) this.#upstream(s, 'cut');
    if (call.failedPolicy !== null) {
      let p = s.policies.get(call.failedPolicy);
      if (p === undefined) s.policies.set(call.failedPolicy, (p = this.#policyFailures.labels(s.id, s.name, call.failedPolicy)));
      p.inc();
    }
  }

  #upstream(s: ApiSeries, kind: string): void {
    let child = s.upstream.get(kind);
    if (child === undefined) s.upstream.set(kind, (child = this.#upstreamErrors.labels(s.id, s.name, kind)));
    child.inc();
  }

  #series(api: { readonly id: string; readonly name: string }): ApiSeries {
    let s = this.#apis.get(api);
    if (s === undefined) {
      s = {
        id: api.id,
        name: api.name,
        requests: new Map(),
        gateway: this.#gatewayLatency.labels(api.id, api.name),
        backend: this.#backendLatency.labels(api.id, api.name),
        upstream: new Map(),
        policies: new Map(),
      };
      this.#apis.set(api, s);
    }
    return s;
  }
}

/** A counter read from an exporter's own tallies at scrape time (one series per outcome). */
function statsCounter(registers: Registry[], name: string, help: string, read: () => object | undefined): void {
  new Counter({
    name,
    help,
    labelNames: ['outcome'],
    registers,
    collect() {
      const stats = read();
      if (stats === undefined) return;
      this.reset();
      for (const [outcome, value] of Object.entries(stats)) this.inc({ outcome }, value as number);
    },
  });
}
