/** The optional exporters of a gateway process, from its settings (single process or cluster worker). */
import type { DestinationStream } from 'pino';
import type { AccessLogMode } from '../../core/config.ts';
import { createAccessLogger } from '../../core/logger.ts';
import { AccessLog } from './access-log.ts';
import { OtlpSpanExporter } from './otlp.ts';

export interface GatewayTelemetry {
  /** OTLP/HTTP collector; null or absent: no span export (traceparent is still propagated). */
  otlpEndpoint?: string | null;
  accessLog?: AccessLogMode;
}

export interface Telemetry {
  /** What createGateway takes: only the exporters that are on. */
  readonly parts: { spans?: OtlpSpanExporter; accessLog?: AccessLog };
  /** Exports the last spans and flushes the log. */
  close(): Promise<void>;
}

export function createTelemetry(settings: GatewayTelemetry, destination?: DestinationStream): Telemetry {
  const spans = settings.otlpEndpoint ? new OtlpSpanExporter({ endpoint: settings.otlpEndpoint }) : undefined;
  const mode = settings.accessLog ?? 'off';
  const logger = mode === 'off' ? undefined : createAccessLogger(destination);
  return {
    parts: { ...(spans ? { spans } : {}), ...(logger ? { accessLog: new AccessLog(logger, { query: mode === 'query' }) } : {}) },
    async close() {
      await spans?.close();
      logger?.flush();
    },
  };
}
