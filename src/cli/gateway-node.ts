import { hostname } from 'node:os';
import { join } from 'node:path';
import { AnalyticsShipper } from '../gateway/analytics/shipper.ts';
import type { Logger } from '../core/logger.ts';
import { createGateway, RemoteSnapshotSource, runGatewayCluster } from '../gateway/index.ts';
import { serveMetrics, type MetricsServer } from '../gateway/observe/metrics-server.ts';
import { createTelemetry, type GatewayTelemetry } from '../gateway/observe/setup.ts';
import { createCounterStore, type CounterStore, type LimitsSettings } from '../gateway/limits/index.ts';
import { createResponseCache } from '../gateway/cache/settings.ts';

export interface GatewayNodeOptions {
  host: string;
  port: number;
  workers: number;
  controlPlaneUrl: string;
  token: string;
  dataDir: string;
  logger: Logger;
  /** Port of the `/metrics` listener (on `host`); absent or null: none. */
  metricsPort?: number | null;
  telemetry?: GatewayTelemetry;
  /** Counter store settings (default: memory, quotas not saved). */
  limits?: LimitsSettings;
  /** A store made by the caller, who closes it (`portico start` shares it with the control plane); one worker only. */
  counters?: CounterStore;
}

export interface RunningGateway {
  port: number;
  /** Bound port of the metrics listener, when there is one. */
  metricsPort: number | null;
  close(): Promise<void>;
}

/**
 * A data-plane node following a control plane's config feed; it keeps the last good snapshot on
 * disk so it starts and serves while the control plane is down. One worker runs in this process;
 * more run as a cluster sharing the port, and the metrics listener then merges every worker's.
 */
export async function startGatewayNode(options: GatewayNodeOptions): Promise<RunningGateway> {
  const source = new RemoteSnapshotSource({
    controlPlaneUrl: options.controlPlaneUrl,
    token: options.token,
    cacheFile: join(options.dataDir, 'gateway-snapshot.json'),
    logger: options.logger,
  });
  const metricsOn = async (contentType: string, render: () => Promise<string>): Promise<MetricsServer | null> =>
    options.metricsPort === undefined || options.metricsPort === null ? null : serveMetrics(options.host, options.metricsPort, contentType, render);
  if (options.workers > 1) {
    const analytics = { controlPlaneUrl: options.controlPlaneUrl, token: options.token };
    const cluster = await runGatewayCluster({
      workers: options.workers,
      host: options.host,
      port: options.port,
      source,
      analytics,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
    const metrics = await metricsOn('text/plain; version=0.0.4; charset=utf-8', () => cluster.metrics());
    return {
      port: cluster.port,
      metricsPort: metrics?.port ?? null,
      close: async () => {
        await metrics?.close();
        await cluster.close();
      },
    };
  }
  // Call records go to the control plane in batches, off the request path.
  const shipper = new AnalyticsShipper({ controlPlaneUrl: options.controlPlaneUrl, token: options.token, gateway: `${hostname()}/${process.pid}` });
  const telemetry = createTelemetry(options.telemetry ?? {});
  const own = options.counters === undefined && options.limits !== undefined ? createCounterStore(options.limits, options.logger) : null;
  const limits = options.counters ?? own;
  const cache = createResponseCache(options.limits, options.logger);
  const gateway = createGateway({
    host: options.host,
    port: options.port,
    logger: options.logger,
    analytics: shipper,
    ...telemetry.parts,
    ...(limits ? { limits } : {}),
    ...(cache ? { cache } : {}),
  });
  gateway.metrics.withProcessMetrics();
  const { port } = await gateway.listen();
  const metrics = await metricsOn(gateway.metrics.registry.contentType, () => gateway.metrics.registry.metrics());
  await source.start((snapshot) => {
    try {
      gateway.apply(snapshot);
    } catch (error) {
      options.logger.error({ err: error, revision: snapshot.revision }, 'snapshot rejected; keeping the previous one');
    }
  });
  return {
    port,
    metricsPort: metrics?.port ?? null,
    close: async () => {
      await metrics?.close();
      await source.stop();
      await gateway.close();
      await shipper.close();
      await telemetry.close();
      await own?.close();
      await cache?.close();
    },
  };
}
