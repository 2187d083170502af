/** A cluster worker: one gateway on the shared port, fed snapshots by the primary. */
import { hostname } from 'node:os';
import { AnalyticsShipper } from '../analytics/shipper.ts';
import { createGateway } from '../gateway.ts';
import { createTelemetry, type GatewayTelemetry } from '../observe/setup.ts';
import { createCounterStore, type LimitsSettings } from '../limits/settings.ts';
import { createResponseCache } from '../cache/settings.ts';
import type { ToPrimary, ToWorker } from './messages.ts';

const maxHeader = Number(process.env.PORTICO_GATEWAY_MAX_HEADER_BYTES);
const analyticsUrl = process.env.PORTICO_GATEWAY_ANALYTICS_URL;
const shipper = analyticsUrl
  ? new AnalyticsShipper({ controlPlaneUrl: analyticsUrl, token: process.env.PORTICO_GATEWAY_ANALYTICS_TOKEN ?? '', gateway: `${hostname()}/${process.pid}` })
  : null;
const telemetry = createTelemetry(JSON.parse(process.env.PORTICO_GATEWAY_TELEMETRY || '{}') as GatewayTelemetry);
// Settings the primary passed (from src/core/config.ts); none: a memory store of this worker's own.
const limitsJson = process.env.PORTICO_GATEWAY_LIMITS;
const settings = limitsJson ? (JSON.parse(limitsJson) as LimitsSettings) : undefined;
const limits = settings ? createCounterStore(settings) : null;
const cache = createResponseCache(settings);
const gateway = createGateway({
  ...(shipper ? { analytics: shipper } : {}),
  ...telemetry.parts,
  ...(limits ? { limits } : {}),
  ...(cache ? { cache } : {}),
  host: process.env.PORTICO_GATEWAY_HOST ?? '127.0.0.1',
  port: Number(process.env.PORTICO_GATEWAY_PORT ?? 0),
  ...(maxHeader > 0 ? { maxHeaderBytes: maxHeader } : {}),
});
gateway.metrics.withProcessMetrics();

const send = (msg: ToPrimary): void => {
  process.send?.(msg);
};

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await gateway.close();
  await shipper?.close();
  await telemetry.close();
  await limits?.close();
  await cache?.close();
  process.exit(0);
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'snapshot') {
    try {
      gateway.apply(msg.snapshot);
    } catch (err) {
      send({ type: 'rejected', revision: msg.snapshot.revision, error: (err as Error).message });
    }
  } else if (msg.type === 'metrics') {
    void gateway.metrics.registry.getMetricsAsJSON().then((metrics) => send({ type: 'metrics', id: msg.id, metrics }));
  } else if (msg.type === 'shutdown') void shutdown();
});
// A signal sent to the whole process group reaches workers too: drain the same way.
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => {});
// The primary is gone: nothing will restart or feed us.
process.on('disconnect', () => void shutdown());

const { port } = await gateway.listen();
send({ type: 'listening', port });
