import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/clock.ts';
import type { PorticoConfig } from '../core/config.ts';
import { Sealer } from '../core/crypto.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { followEchoService } from '../bootstrap/echo-backend.ts';
import { firstRun, type FirstRun } from '../bootstrap/first-run.ts';
import { gatewayToken, masterKey } from '../bootstrap/secrets.ts';
import { createControlPlane } from '../management/app.ts';
import { ECHO_PREFIX } from '../management/echo.ts';
import { gatewayAnalyticsRoutes, gatewayFeedRoutes } from '../management/gateway-feed.ts';
import { purgeRecords } from '../services/analytics.ts';
import { Authenticator } from '../services/auth.ts';
import type { Services } from '../services/context.ts';
import type { UsageSource } from '../services/usage.ts';
import { revealNamedValue } from '../services/named-values.ts';
import { buildSnapshot, SnapshotFeed } from '../snapshot/index.ts';
import { openStore, tables } from '../store/index.ts';

export interface RunningControlPlane {
  app: FastifyInstance;
  services: Services;
  url: string;
  gatewayToken: string;
  firstRun: FirstRun | null;
  logger: Logger;
  close(): Promise<void>;
}

/** Opens the store, runs the first-run set-up, and serves the control plane. */
export async function startControlPlane(config: PorticoConfig, options: { demo?: boolean; clock?: Clock; logger?: Logger; usage?: UsageSource } = {}): Promise<RunningControlPlane> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = await openStore(config.database, config.dataDir);
  const services: Services = { store, sealer: new Sealer(masterKey(config.dataDir, config.masterKey)), clock: options.clock ?? systemClock };
  const token = gatewayToken(config.dataDir, process.env.PORTICO_GATEWAY_TOKEN ?? null);
  const auth = new Authenticator(services, config.controlPlane.publicUrl);
  const feed = new SnapshotFeed(store, () =>
    buildSnapshot(store, async (org, name, tx) => {
      const nv = await tables.namedValues.findBy(tx, { organization_id: org, name });
      return nv ? revealNamedValue(services.sealer, nv.entity) : null;
    }, { issuer: config.controlPlane.publicUrl }),
  );
  // A signing key exists before the first snapshot, so gateways can verify the first token issued.
  await auth.keys.current();
  // The gateway-facing routes (config feed, analytics ingest) authenticate with the gateway token.
  const gatewayRoutes = (a: FastifyInstance) => {
    gatewayFeedRoutes(a, feed, token);
    gatewayAnalyticsRoutes(a, store, token);
  };
  const app = createControlPlane({ services, auth, publicUrl: config.controlPlane.publicUrl, gatewayUrl: config.gateway.publicUrl, logger, extend: gatewayRoutes, ...(options.usage ? { usage: options.usage } : {}) });
  try {
    await app.listen({ host: config.controlPlane.host, port: config.controlPlane.port });
  } catch (error) {
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.controlPlane.port;
  const url = `http://${config.controlPlane.host}:${port}`;
  const first = await firstRun(services, config, { demo: options.demo ?? true, echoUrl: `${url}${ECHO_PREFIX}` });
  if (!first) await followEchoService(services, `${url}${ECHO_PREFIX}`);
  // Raw call records expire after the retention period (roll-ups stay); checked hourly.
  const purge = setInterval(() => {
    purgeRecords(store, config.analyticsRetentionDays, services.clock.now()).catch((error: unknown) => logger.warn({ err: error }, 'analytics purge failed'));
  }, 3_600_000);
  purge.unref();
  return {
    app,
    services,
    url,
    gatewayToken: token,
    firstRun: first,
    logger,
    close: async () => {
      clearInterval(purge);
      feed.close();
      await app.close();
      await store.close();
    },
  };
}
