/**
 * One JSON line per routed call (pino). No header is ever written, so API keys, Authorization and
 * cookies cannot reach a line; the query string is left out unless asked for, and then the API's
 * key parameter and the usual credential parameters are replaced by `[redacted]`.
 */
import type { Logger } from 'pino';
import type { CallObserver, CallTrack } from '../analytics/track.ts';

export interface AccessLogOptions {
  /** Log the query string too (credential parameters redacted). Default false. */
  query?: boolean;
}

// Lower case; compared after decoding the parameter name.
const CREDENTIAL_PARAMS = new Set(['api_key', 'apikey', 'api-key', 'key', 'access_token', 'id_token', 'refresh_token', 'token', 'client_secret', 'password', 'code', 'sig', 'signature']);

export class AccessLog implements CallObserver {
  constructor(
    readonly logger: Logger,
    readonly options: AccessLogOptions = {},
  ) {}

  done(call: CallTrack): void {
    const route = call.route;
    const line: Record<string, unknown> = {
      requestId: call.requestId,
      traceId: call.span.traceId,
      spanId: call.span.spanId,
      api: route.apiId,
      apiName: route.api.name,
      operation: route.operationId,
      method: call.req.method,
      path: call.path,
      status: call.status,
      gatewayMs: round(call.gatewayLatencyMs),
      backendMs: call.backendLatencyMs === null ? null : round(call.backendLatencyMs),
      bytesIn: call.bytesIn,
      bytesOut: call.bytesOut,
      application: call.context?.applicationId ?? null,
      clientIp: call.clientIp,
      errorCode: call.errorCode,
    };
    if (this.options.query === true) {
      const url = call.req.url!;
      const at = url.indexOf('?');
      line.query = at === -1 ? '' : redactQuery(url.slice(at + 1), route.access.keyQuery);
    }
    this.logger.info(line, 'call');
  }
}

/** The query with the values of credential parameters (and the API's key parameter) replaced. */
export function redactQuery(query: string, keyParam: string | null): string {
  const key = keyParam?.toLowerCase() ?? null;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeName(eq === -1 ? pair : pair.slice(0, eq)).toLowerCase();
      return name === key || CREDENTIAL_PARAMS.has(name) ? `${pair.slice(0, eq === -1 ? pair.length : eq)}=[redacted]` : pair;
    })
    .join('&');
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw; // malformed percent-encoding: compared as sent
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
