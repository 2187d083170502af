import { hostname } from 'node:os';
import { join } from 'node:path';
import { AnalyticsShipper } from '../gateway/analytics/shipper.ts';
import type { Logger } from '../core/logger.ts';
import { createGateway, RemoteSnapshotSource, runGatewayCluster } from '../gateway/index.ts';
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
  /** Counter store settings (default: memory, quotas not saved). */
  limits?: LimitsSettings;
  /** A store made by the caller, who closes it (`portico start` shares it with the control plane); one worker only. */
  counters?: CounterStore;
}

export interface RunningGateway {
  port: number;
  close(): Promise<void>;
}

/**
 * A data-plane node following a control plane's config feed; it keeps the last good snapshot on
 * disk so it starts and serves while the control plane is down. One worker runs in this process;
 * more run as a cluster sharing the port.
 */
export async function startGatewayNode(options: GatewayNodeOptions): Promise<RunningGateway> {
  const source = new RemoteSnapshotSource({
    controlPlaneUrl: options.controlPlaneUrl,
    token: options.token,
    cacheFile: join(options.dataDir, 'gateway-snapshot.json'),
    logger: options.logger,
  });
  if (options.workers > 1) {
    const analytics = { controlPlaneUrl: options.controlPlaneUrl, token: options.token };
    const cluster = await runGatewayCluster({ workers: options.workers, host: options.host, port: options.port, source, analytics, ...(options.limits ? { limits: options.limits } : {}) });
    return { port: cluster.port, close: () => cluster.close() };
  }
  // Call records go to the control plane in batches, off the request path.
  const shipper = new AnalyticsShipper({ controlPlaneUrl: options.controlPlaneUrl, token: options.token, gateway: `${hostname()}/${process.pid}` });
  const own = options.counters === undefined && options.limits !== undefined ? createCounterStore(options.limits, options.logger) : null;
  const limits = options.counters ?? own;
  const cache = createResponseCache(options.limits, options.logger);
  const gateway = createGateway({ host: options.host, port: options.port, logger: options.logger, analytics: shipper, ...(limits ? { limits } : {}), ...(cache ? { cache } : {}) });
  const { port } = await gateway.listen();
  await source.start((snapshot) => {
    try {
      gateway.apply(snapshot);
    } catch (error) {
      options.logger.error({ err: error, revision: snapshot.revision }, 'snapshot rejected; keeping the previous one');
    }
  });
  return {
    port,
    close: async () => {
      await source.stop();
      await gateway.close();
      await shipper.close();
      await own?.close();
      await cache?.close();
    },
  };
}
