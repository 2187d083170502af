/**
 * The gateway server: node:http, the current compiled snapshot behind one reference (atomic swap:
 * a request reads the reference once and keeps that runtime to its end), health endpoints, upgrade
 * pass-through and graceful drain.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Snapshot } from '../snapshot/types.ts';
import { handleClientError } from './client-error.ts';
import { compileSnapshot } from './compile.ts';
import { handleRequest, type RuntimeHolder } from './handler.ts';
import type { CallObserver, CallSink } from './analytics/track.ts';
import type { AccessLog } from './observe/access-log.ts';
import { GatewayMetrics } from './observe/metrics.ts';
import type { OtlpSpanExporter } from './observe/otlp.ts';
import { handleUpgrade } from './upgrade.ts';
import { UpstreamRegistry } from './upstream/pool.ts';
import { createPolicyServices } from './pipeline/services.ts';
import { closeOverrides } from './pipeline/override.ts';
import { MemoryCounterStore } from './limits/memory-store.ts';
import { limitsLog } from './limits/settings.ts';
import type { CounterStore } from './limits/types.ts';
import { createWebhookSender } from './webhooks/sender.ts';
import type { ResponseCache } from '../policies/cache-store.ts';
import { MemoryResponseCache } from './cache/memory-cache.ts';

export interface GatewayOptions {
  host: string;
  port: number;
  /** Largest request head (request line + headers) accepted; 431 beyond. Default 16 KiB. */
  maxHeaderBytes?: number;
  logger?: Logger;
  /** How long close() waits for in-flight requests before cutting connections. Default 10 s. */
  drainTimeoutMs?: number;
  /** Told about every routed call, after the metrics (the analytics shipper). */
  analytics?: CallSink;
  /** Exports one span per sampled call (OTLP). */
  spans?: OtlpSpanExporter;
  /** Writes one line per call. */
  accessLog?: AccessLog;
  /**
   * Counters of the traffic-control policies, owned by the caller (who closes it). Default: a
   * memory store of this gateway's own, closed with it. Either way it outlives snapshots.
   */
  limits?: CounterStore;
  /** Response cache of the `cache` policy, owned by the caller. Default: a memory cache of its own. */
  cache?: ResponseCache;
}

export interface Gateway {
  /** Compile + atomic swap; throws on an invalid snapshot and keeps the old one. */
  apply(snapshot: Snapshot): void;
  /** null until the first snapshot. */
  readonly revision: number | null;
  /** This process's Prometheus registry and request counters. */
  readonly metrics: GatewayMetrics;
  /** Resolves with the bound port (port 0 allowed). */
  listen(): Promise<{ port: number }>;
  /** Drains in-flight requests, then stops. */
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { analytics, spans, accessLog } = options;
  const metrics = new GatewayMetrics({ analytics: () => analytics?.stats, spans: () => spans?.stats });
  const observers: CallObserver[] = [metrics];
  if (analytics !== undefined) observers.push(analytics);
  if (spans !== undefined) observers.push(spans);
  if (accessLog !== undefined) observers.push(accessLog);
  const own = options.limits === undefined ? new MemoryCounterStore({ log: limitsLog(options.logger) }) : null;
  const limits = options.limits ?? own!;
  const webhooks = createWebhookSender(options.logger);
  const ownCache = options.cache === undefined ? new MemoryResponseCache() : null;
  const services = createPolicyServices({ limits, webhooks, cache: options.cache ?? ownCache!, ...(options.logger ? { logger: options.logger } : {}) });
  const holder: RuntimeHolder = { current: null, observers, metrics, services };
  const upstreams = new UpstreamRegistry();
  const log = options.logger;
  const server: Server = createServer({
    maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
    keepAliveTimeout: 5_000,
    headersTimeout: 30_000,
    requestTimeout: 0, // long uploads and streams are bounded by the backend's read timeout instead
  });
  server.on('request', (req, res) => handleRequest(holder, req, res));
  // With a listener here Node does not send 100 Continue by itself: the handler sends it once the
  // route and the declared body size are accepted (RFC 9110 §10.1.1).
  server.on('checkContinue', (req, res) => handleRequest(holder, req, res));
  server.on('upgrade', (req, socket, head) => handleUpgrade(holder, req, socket, head));
  server.on('clientError', handleClientError);

  return {
    apply(snapshot: Snapshot): void {
      const used = new Set<string>();
      const compiled = compileSnapshot(snapshot, upstreams, used);
      holder.current = compiled;
      metrics.applied(compiled.revision);
      upstreams.retain(used);
      log?.info({ revision: compiled.revision }, 'gateway: snapshot applied');
      for (const [id, reason] of compiled.brokenPolicies) log?.error({ policy: id, reason }, 'gateway: policy cannot be compiled; its calls are refused');
    },
    get revision(): number | null {
      return holder.current?.revision ?? null;
    },
    metrics,
    listen(): Promise<{ port: number }> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      });
    },
    async close(): Promise<void> {
      await drain(server, options.drainTimeoutMs ?? 10_000);
      // After the drain: the last calls' documents are queued by then.
      await webhooks.close();
      await upstreams.close();
      await closeOverrides();
      await own?.close();
      await ownCache?.close();
    },
  };
}

/**
 * Stops accepting, lets busy connections finish their current exchange (idle keep-alive
 * connections are closed as they become idle), then cuts whatever is left at the deadline.
 */
function drain(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const poll = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearInterval(poll);
      clearTimeout(deadline);
      resolve();
    });
  });
}
