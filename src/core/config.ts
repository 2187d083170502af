import { resolve } from 'node:path';

/**
 * Settings of a Portico process: flags win over `PORTICO_*` environment variables, which win over
 * defaults (DESIGN.md §4). This is the one module that reads `process.env`. The result is frozen.
 */
export interface PorticoConfig {
  dataDir: string;
  /** `sqlite` (default, a file in dataDir) or a `postgres://` URL. */
  database: string;
  controlPlane: { host: string; port: number; publicUrl: string };
  gateway: { host: string; port: number; publicUrl: string; workers: number };
  /** 32-byte key (base64) that encrypts secrets at rest; generated into dataDir when absent. */
  masterKey: string | null;
  bootstrap: { adminClientId: string | null; adminClientSecret: string | null; demoApiKey: string | null; adminPassword: string | null };
  logLevel: string;
  /** Days raw call records are kept; roll-ups stay. */
  analyticsRetentionDays: number;
  telemetry: {
    /** Port of the gateway's `/metrics` listener; null: none. */
    metricsPort: number | null;
    /** OTLP/HTTP collector URL for the gateway's spans; null: no export. */
    otlpEndpoint: string | null;
    accessLog: AccessLogMode;
  };
  /**
   * Counters of the traffic-control policies: in each gateway process's memory (quotas saved in
   * dataDir) unless a Redis URL is given, then shared by every gateway through Redis.
   */
  limits: { redisUrl: string | null; redisMode: 'strict' | 'batching' };
}

/** `on`: one line per call with the path; `query`: the query string too, credentials redacted. */
export type AccessLogMode = 'off' | 'on' | 'query';

export type ConfigOverrides = Partial<{
  dataDir: string;
  database: string;
  host: string;
  controlPlanePort: number;
  gatewayPort: number;
  workers: number;
  metricsPort: number;
  redisUrl: string;
  redisMode: string;
}>;

function redisMode(value: string | undefined): 'strict' | 'batching' {
  if (value === undefined || value === '' || value === 'strict') return 'strict';
  if (value === 'batching') return 'batching';
  throw new Error(`PORTICO_REDIS_MODE must be strict or batching, got "${value}"`);
}

function redisUrl(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!/^rediss?:\/\//.test(value)) throw new Error('PORTICO_REDIS_URL must be a redis:// or rediss:// URL');
  return value;
}

function intFrom(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be an integer port or count, got "${value}"`);
  return n;
}

function httpUrl(value: string | undefined, name: string): string | null {
  if (value === undefined || value === '') return null;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new Error(`${name} must be an http(s) URL, got "${value}"`);
  return value;
}

function accessLogMode(value: string | undefined): AccessLogMode {
  if (value === undefined || value === '' || value === 'false' || value === 'off') return 'off';
  if (value === 'true' || value === 'on') return 'on';
  if (value === 'query') return 'query';
  throw new Error(`PORTICO_ACCESS_LOG must be true, false or query, got "${value}"`);
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Readonly<PorticoConfig> {
  const host = overrides.host ?? env.PORTICO_HOST ?? '127.0.0.1';
  const cpPort = overrides.controlPlanePort ?? intFrom(env.PORTICO_CONTROL_PLANE_PORT, 'PORTICO_CONTROL_PLANE_PORT') ?? 8001;
  const gwPort = overrides.gatewayPort ?? intFrom(env.PORTICO_GATEWAY_PORT, 'PORTICO_GATEWAY_PORT') ?? 8000;
  const dataDir = resolve(overrides.dataDir ?? env.PORTICO_DATA_DIR ?? '.portico');
  const config: PorticoConfig = {
    dataDir,
    database: overrides.database ?? env.PORTICO_DATABASE_URL ?? 'sqlite',
    controlPlane: { host, port: cpPort, publicUrl: env.PORTICO_PUBLIC_URL ?? `http://${host}:${cpPort}` },
    gateway: {
      host,
      port: gwPort,
      publicUrl: env.PORTICO_GATEWAY_PUBLIC_URL ?? `http://${host}:${gwPort}`,
      workers: overrides.workers ?? intFrom(env.PORTICO_GATEWAY_WORKERS, 'PORTICO_GATEWAY_WORKERS') ?? 1,
    },
    masterKey: env.PORTICO_MASTER_KEY ?? null,
    bootstrap: {
      adminClientId: env.PORTICO_ADMIN_CLIENT_ID ?? null,
      adminClientSecret: env.PORTICO_ADMIN_CLIENT_SECRET ?? null,
      demoApiKey: env.PORTICO_DEMO_API_KEY ?? null,
      adminPassword: env.PORTICO_ADMIN_PASSWORD ?? null,
    },
    logLevel: env.PORTICO_LOG_LEVEL ?? 'info',
    analyticsRetentionDays: intFrom(env.PORTICO_ANALYTICS_RETENTION_DAYS, 'PORTICO_ANALYTICS_RETENTION_DAYS') ?? 7,
    telemetry: {
      metricsPort:
        overrides.metricsPort ?? (env.PORTICO_GATEWAY_METRICS_PORT === 'off' ? null : (intFrom(env.PORTICO_GATEWAY_METRICS_PORT, 'PORTICO_GATEWAY_METRICS_PORT') ?? 8002)),
      otlpEndpoint: httpUrl(env.PORTICO_OTLP_ENDPOINT, 'PORTICO_OTLP_ENDPOINT'),
      accessLog: accessLogMode(env.PORTICO_ACCESS_LOG),
    },
    limits: { redisUrl: redisUrl(overrides.redisUrl ?? env.PORTICO_REDIS_URL), redisMode: redisMode(overrides.redisMode ?? env.PORTICO_REDIS_MODE) },
  };
  return Object.freeze(config);
}
