/**
 * Multi-core runner (node:cluster). The primary owns the snapshot source and forwards each
 * snapshot to every worker over IPC; workers share the listening port and run createGateway.
 * A worker that dies is replaced (and given the current snapshot); SIGTERM/SIGINT drain every
 * worker and stop the source.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer, type AddressInfo } from 'node:net';
import type { Snapshot } from '../../snapshot/types.ts';
import type { SnapshotSource } from '../feed/source.ts';
import type { LimitsSettings } from '../limits/settings.ts';
import type { ToPrimary, ToWorker } from './messages.ts';
import { ClusterMetrics } from './metrics.ts';
import type { GatewayTelemetry } from '../observe/setup.ts';

export interface GatewayClusterOptions {
  workers: number;
  host: string;
  port: number;
  source: SnapshotSource;
  maxHeaderBytes?: number;
  /** Where each worker ships its call records; none: analytics off. */
  analytics?: { controlPlaneUrl: string; token: string };
  /** Span export and access log, set up in every worker. */
  telemetry?: GatewayTelemetry;
  /** Counter store of each worker (Redis shared by all; memory: each worker counts its own calls). */
  limits?: LimitsSettings;
  /** Exit the process after a signal-triggered shutdown. Default true. */
  exitOnSignal?: boolean;
}

export interface GatewayCluster {
  /** The shared port, once the first worker listens. */
  readonly port: number;
  workerPids(): number[];
  /** Every worker's metrics merged (Prometheus text), as one node. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

/** Longer than a worker's own drain (10 s): a worker that outlives it is stuck and is killed. */
const SHUTDOWN_DEADLINE_MS = 15_000;

export async function runGatewayCluster(opts: GatewayClusterOptions): Promise<GatewayCluster> {
  if (!cluster.isPrimary) throw new Error('runGatewayCluster must run in the primary process');
  cluster.setupPrimary({ exec: new URL('./worker.ts', import.meta.url).pathname, execArgv: process.execArgv });
  let latest: Snapshot | null = null;
  let stopping = false;
  let port = 0;
  const listenPort = opts.port === 0 ? await freePort(opts.host) : opts.port;
  const workers = new Set<Worker>();
  /** Workers that said they listen: only they have handlers for IPC messages such as shutdown. */
  const listeningWorkers = new WeakSet<Worker>();
  let firstListening: (() => void) | null = null;
  const listening = new Promise<void>((resolve) => (firstListening = resolve));
  const metrics = new ClusterMetrics();

  const send = (w: Worker, msg: ToWorker): void => {
    if (w.isConnected()) w.send(msg);
  };

  const fork = (): void => {
    const w = cluster.fork({
      PORTICO_GATEWAY_HOST: opts.host,
      // A fixed port even when port 0 was asked for: a replacement worker that asks node:cluster
      // for port 0 is given a new random port (seen on Node 20.20), so it would serve alone on a
      // port nobody calls. The primary picks the port once, below.
      PORTICO_GATEWAY_PORT: String(listenPort),
      PORTICO_GATEWAY_MAX_HEADER_BYTES: String(opts.maxHeaderBytes ?? ''),
      PORTICO_GATEWAY_ANALYTICS_URL: opts.analytics?.controlPlaneUrl ?? '',
      PORTICO_GATEWAY_ANALYTICS_TOKEN: opts.analytics?.token ?? '',
      PORTICO_GATEWAY_TELEMETRY: JSON.stringify(opts.telemetry ?? {}),
      PORTICO_GATEWAY_LIMITS: opts.limits ? JSON.stringify(opts.limits) : '',
    });
    workers.add(w);
    w.on('message', (msg: ToPrimary) => {
      if (msg.type === 'listening') {
        listeningWorkers.add(w);
        port = msg.port;
        if (latest !== null) send(w, { type: 'snapshot', snapshot: latest });
        firstListening?.();
      } else if (msg.type === 'metrics') metrics.answered(msg.id, msg.metrics);
    });
    w.on('exit', () => {
      workers.delete(w);
      if (!stopping) setTimeout(fork, 100).unref();
    });
  };

  for (let i = 0; i < Math.max(1, opts.workers); i++) fork();
  await listening;
  await opts.source.start((s) => {
    latest = s;
    for (const w of workers) send(w, { type: 'snapshot', snapshot: s });
  });

  const close = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await opts.source.stop().catch(() => {});
    const exits = [...workers].map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
    // A worker still starting has no message handler yet (a shutdown message would be lost) and no
    // connection to drain: a signal stops it. Whatever is left after the drain deadline is killed.
    for (const w of workers) {
      if (listeningWorkers.has(w)) send(w, { type: 'shutdown' });
      else w.process.kill('SIGTERM');
    }
    const deadline = setTimeout(() => {
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
    }, SHUTDOWN_DEADLINE_MS);
    await Promise.all(exits);
    clearTimeout(deadline);
  };
  const onSignal = (): void => {
    void close().then(() => {
      if (opts.exitOnSignal !== false) process.exit(0);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  return {
    get port() {
      return port;
    },
    workerPids: () => [...workers].map((w) => w.process.pid!).filter((p) => p !== undefined),
    metrics: () => metrics.collect([...workers].filter((w) => listeningWorkers.has(w)), send),
    close,
  };
}

/** A port the OS considers free on `host` now (for port 0: chosen once, shared by every worker). */
async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host, resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
