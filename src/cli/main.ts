import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type ConfigOverrides } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { configCommands } from './commands/config.ts';
import { startControlPlane } from './control-plane.ts';
import { startGatewayNode } from './gateway-node.ts';
import { counterParts, gatewayLimits } from './limits.ts';
import { printWelcome } from './welcome.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number');
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('expected a number from 1 to 256');
  return n;
}

interface CommonFlags {
  dataDir?: string;
  database?: string;
  host?: string;
  port?: number;
  gatewayPort?: number;
  workers?: number;
  metricsPort?: number;
  demo?: boolean;
  redisUrl?: string;
  redisMode?: string;
}

function overrides(flags: CommonFlags): ConfigOverrides {
  const o: ConfigOverrides = {};
  if (flags.dataDir) o.dataDir = flags.dataDir;
  if (flags.database) o.database = flags.database;
  if (flags.host) o.host = flags.host;
  if (flags.port !== undefined) o.controlPlanePort = flags.port;
  if (flags.gatewayPort !== undefined) o.gatewayPort = flags.gatewayPort;
  if (flags.workers !== undefined) o.workers = flags.workers;
  if (flags.metricsPort !== undefined) o.metricsPort = flags.metricsPort;
  if (flags.redisUrl) o.redisUrl = flags.redisUrl;
  if (flags.redisMode) o.redisMode = flags.redisMode;
  return o;
}

/** Stops the given parts on SIGINT/SIGTERM, draining in-flight requests first. */
function onSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

const program = new Command('portico').description('Portico API management').version('0.1.0');

const withRedisFlags = (cmd: Command) =>
  cmd
    .option('--redis-url <url>', 'share rate limits and quotas through this Redis (PORTICO_REDIS_URL; default: in memory)')
    .option('--redis-mode <mode>', 'strict (exact, one round trip per call) or batching (PORTICO_REDIS_MODE, default strict)');

const withStoreFlags = (cmd: Command) =>
  withRedisFlags(cmd)
    .option('--data-dir <dir>', 'data directory (PORTICO_DATA_DIR, default ./.portico)')
    .option('--database <url>', 'sqlite (default) or a postgres:// URL (PORTICO_DATABASE_URL)')
    .option('--host <host>', 'interface to listen on (PORTICO_HOST, default 127.0.0.1)')
    .option('--port <port>', 'control plane port (PORTICO_CONTROL_PLANE_PORT, default 8001)', port)
    .option('--no-demo', 'do not create the demo organization on first start');

withStoreFlags(program.command('start').description('control plane and gateway in one process, on SQLite by default'))
  .option('--gateway-port <port>', 'gateway port (PORTICO_GATEWAY_PORT, default 8000)', port)
  .option('--workers <n>', 'gateway worker processes (PORTICO_GATEWAY_WORKERS, default 1)', count)
  .option('--metrics-port <port>', 'gateway /metrics port (PORTICO_GATEWAY_METRICS_PORT, default 8002)', port)
  .action(async (flags: CommonFlags) => {
    const config = loadConfig(overrides(flags));
    const logger = createLogger(config.logLevel);
    const counters = counterParts(config, logger, true);
    const cp = await startControlPlane(config, { demo: flags.demo !== false, logger, ...(counters.usage ? { usage: counters.usage } : {}) });
    const gw = await startGatewayNode({
      limits: gatewayLimits(config),
      ...(counters.gateway ? { counters: counters.gateway } : {}),
      host: config.gateway.host,
      port: config.gateway.port,
      workers: config.gateway.workers,
      controlPlaneUrl: cp.url,
      token: cp.gatewayToken,
      dataDir: config.dataDir,
      logger: cp.logger,
      metricsPort: config.telemetry.metricsPort,
      telemetry: config.telemetry,
    });
    printWelcome(config, cp, gw.port, gw.metricsPort);
    onSignal(async () => {
      await gw.close();
      await cp.close();
      await counters.close();
    });
  });

withStoreFlags(program.command('server').description('control plane only (management API, token endpoint, config feed)')).action(async (flags: CommonFlags) => {
  const config = loadConfig(overrides(flags));
  const logger = createLogger(config.logLevel);
  const counters = counterParts(config, logger, false);
  const cp = await startControlPlane(config, { demo: flags.demo !== false, logger, ...(counters.usage ? { usage: counters.usage } : {}) });
  printWelcome(config, cp, null);
  onSignal(async () => {
    await cp.close();
    await counters.close();
  });
});

withRedisFlags(program.command('gateway'))
  .description('a data-plane node that pulls its configuration from a control plane')
  .requiredOption('--control-plane <url>', 'control plane URL (PORTICO_CONTROL_PLANE_URL)', process.env.PORTICO_CONTROL_PLANE_URL)
  .requiredOption('--token <token>', 'gateway token of the control plane (PORTICO_GATEWAY_TOKEN)', process.env.PORTICO_GATEWAY_TOKEN)
  .option('--data-dir <dir>', 'where the last good snapshot is kept')
  .option('--host <host>', 'interface to listen on')
  .option('--gateway-port <port>', 'port (default 8000)', port)
  .option('--workers <n>', 'worker processes (default 1)', count)
  .option('--metrics-port <port>', '/metrics port (default 8002)', port)
  .action(async (flags: CommonFlags & { controlPlane: string; token: string }) => {
    const config = loadConfig(overrides(flags));
    const logger = createLogger(config.logLevel);
    const gw = await startGatewayNode({
      host: config.gateway.host,
      port: config.gateway.port,
      workers: config.gateway.workers,
      controlPlaneUrl: flags.controlPlane,
      token: flags.token,
      dataDir: config.dataDir,
      logger,
      metricsPort: config.telemetry.metricsPort,
      telemetry: config.telemetry,
      limits: gatewayLimits(config),
    });
    const metrics = gw.metricsPort === null ? '' : `, metrics on http://${config.gateway.host}:${gw.metricsPort}/metrics`;
    process.stdout.write(`Portico gateway listening on http://${config.gateway.host}:${gw.port}${metrics}, following ${flags.controlPlane}\n`);
    onSignal(() => gw.close());
  });

configCommands(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`portico: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
