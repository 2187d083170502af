/**
 * Header rewriting for a forwarding intermediary.
 * - Hop-by-hop fields are not forwarded (RFC 9110 §7.6.1): Connection, the fields it names,
 *   Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade. `Expect` is answered by the
 *   gateway itself (RFC 9110 §10.1.1), so it is not forwarded either.
 * - X-Forwarded-For is appended to, Forwarded (RFC 7239 §4) gets one more element;
 *   X-Forwarded-Proto and X-Forwarded-Host describe the hop the client made to us.
 * - Host follows the backend's `hostHeader` setting; X-Request-Id is the gateway's.
 * - traceparent/tracestate are read, never copied: the backend gets the gateway's own span as
 *   parent (W3C Trace Context, observe/trace-context.ts).
 * Header lists are flat `[name, value, name, value]` arrays: that keeps repeated fields apart
 * (several Set-Cookie, RFC 6265 §3) and costs no object per request.
 */
import { traceparentFor, type SpanContext } from './observe/trace-context.ts';

const enum Kind {
  Drop = 1,
  Connection,
  Upgrade,
  Host,
  XForwardedFor,
  Forwarded,
  RequestId,
  ContentLength,
  TransferEncoding,
  Expect,
  TraceToken,
  TraceParent,
  TraceState,
}

const SPECIAL: Record<string, Kind> = Object.assign(Object.create(null) as Record<string, Kind>, {
  connection: Kind.Connection,
  'keep-alive': Kind.Drop,
  'proxy-connection': Kind.Drop,
  'proxy-authenticate': Kind.Drop,
  'proxy-authorization': Kind.Drop,
  te: Kind.Drop,
  trailer: Kind.Drop,
  'transfer-encoding': Kind.TransferEncoding,
  upgrade: Kind.Upgrade,
  expect: Kind.Expect,
  host: Kind.Host,
  'x-forwarded-for': Kind.XForwardedFor,
  'x-forwarded-proto': Kind.Drop,
  'x-forwarded-host': Kind.Drop,
  forwarded: Kind.Forwarded,
  'x-request-id': Kind.RequestId,
  'content-length': Kind.ContentLength,
  // An admin's trace token (policy trace): read by the gateway, never forwarded.
  'portico-trace-token': Kind.TraceToken,
  traceparent: Kind.TraceParent,
  tracestate: Kind.TraceState,
});

/** What copyRequestHeaders saw; one reused object (the request path is synchronous up to dispatch). */
export interface SeenHeaders {
  host: string;
  requestId: string | null;
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  expectContinue: boolean;
  upgrade: string | null;
  xff: string | null;
  forwarded: string | null;
  traceToken: string | null;
  /** null when absent; '' when sent more than once (invalid, W3C Trace Context §3.2). */
  traceparent: string | null;
  /** Every tracestate field, joined with commas (§3.3.1). */
  tracestate: string | null;
}

export function newSeen(): SeenHeaders {
  return { host: '', requestId: null, contentLength: -1, chunked: false, expectContinue: false, upgrade: null, xff: null, forwarded: null, traceToken: null, traceparent: null, tracestate: null };
}

// Client-supplied ids are kept when they are short printable tokens, else replaced.
const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** End-to-end request fields, in order, with hop-by-hop and gateway-owned fields removed. */
export function copyRequestHeaders(raw: readonly string[], seen: SeenHeaders): string[] {
  seen.host = '';
  seen.requestId = null;
  seen.contentLength = -1;
  seen.chunked = false;
  seen.expectContinue = false;
  seen.upgrade = null;
  seen.xff = null;
  seen.forwarded = null;
  seen.traceToken = null;
  seen.traceparent = null;
  seen.tracestate = null;
  const out: string[] = [];
  let connection: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const kind = SPECIAL[name] ?? SPECIAL[name.toLowerCase()];
    if (kind === undefined) {
      out.push(name, value);
      continue;
    }
    switch (kind) {
      case Kind.Connection:
        connection = connection === null ? value : connection + ', ' + value;
        break;
      case Kind.Upgrade:
        seen.upgrade = value;
        break;
      case Kind.Host:
        seen.host = value;
        break;
      case Kind.XForwardedFor:
        seen.xff = seen.xff === null ? value : seen.xff + ', ' + value;
        break;
      case Kind.Forwarded:
        seen.forwarded = seen.forwarded === null ? value : seen.forwarded + ', ' + value;
        break;
      case Kind.RequestId:
        if (seen.requestId === null && REQUEST_ID.test(value)) seen.requestId = value;
        break;
      case Kind.ContentLength:
        // Node's parser already refused invalid or conflicting lengths (RFC 9112 §6.3).
        seen.contentLength = Number(value);
        out.push(name, value);
        break;
      case Kind.TransferEncoding:
        seen.chunked = true;
        break;
      case Kind.Expect:
        if (value.toLowerCase() === '100-continue') seen.expectContinue = true;
        break;
      case Kind.TraceToken:
        seen.traceToken = value;
        break;
      case Kind.TraceParent:
        seen.traceparent = seen.traceparent === null ? value : '';
        break;
      case Kind.TraceState:
        seen.tracestate = seen.tracestate === null ? value : seen.tracestate + ',' + value;
        break;
      default:
        break;
    }
  }
  if (connection !== null) dropNominated(out, connection);
  return out;
}

export interface ForwardContext {
  clientIp: string;
  /** Host the client asked for (Host header or absolute-form authority). */
  clientHost: string;
  proto: 'http' | 'https';
  /** Host header to send to the backend. */
  upstreamHost: string;
  requestId: string;
  span: SpanContext;
}

/** Appends Host, the forwarding fields, X-Request-Id and the trace context. */
export function addForwarding(out: string[], seen: SeenHeaders, ctx: ForwardContext): void {
  const ip = ctx.clientIp;
  out.push(
    'host', ctx.upstreamHost,
    'x-forwarded-for', seen.xff === null ? ip : seen.xff + ', ' + ip,
    'x-forwarded-proto', ctx.proto,
    'x-forwarded-host', ctx.clientHost,
    'forwarded', (seen.forwarded === null ? '' : seen.forwarded + ', ') + forwardedElement(ip, ctx.clientHost, ctx.proto),
    'x-request-id', ctx.requestId,
    'traceparent', traceparentFor(ctx.span),
  );
  if (ctx.span.state !== null) out.push('tracestate', ctx.span.state);
}

/** Response fields from undici's raw headers (Buffers), without hop-by-hop fields. */
export function responseHeaders(raw: readonly Buffer[], requestId: string): string[] {
  const out: string[] = [];
  let connection: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const kind = SPECIAL[name] ?? SPECIAL[name.toLowerCase()];
    // End-to-end in a response (trace fields included): only request-side rewriting applies to them.
    if (kind !== undefined && kind !== Kind.ContentLength && kind !== Kind.Host && kind !== Kind.XForwardedFor && kind !== Kind.Forwarded && kind !== Kind.TraceParent && kind !== Kind.TraceState) {
      if (kind === Kind.Connection) connection = raw[i + 1]!.toString('latin1');
      continue;
    }
    out.push(name, raw[i + 1]!.toString('latin1'));
  }
  if (connection !== null) dropNominated(out, connection);
  out.push('x-request-id', requestId);
  return out;
}

/** Removes the fields a Connection header names (RFC 9110 §7.6.1), other than close/keep-alive. */
function dropNominated(list: string[], connection: string): void {
  let names: Set<string> | null = null;
  for (const token of connection.split(',')) {
    const t = token.trim().toLowerCase();
    if (t !== '' && t !== 'close' && t !== 'keep-alive' && t !== 'upgrade') (names ??= new Set()).add(t);
  }
  if (names === null) return;
  let w = 0;
  for (let r = 0; r < list.length; r += 2) {
    if (names.has(list[r]!.toLowerCase())) continue;
    list[w++] = list[r]!;
    list[w++] = list[r + 1]!;
  }
  list.length = w;
}

/** One RFC 7239 element; IPv6 nodes and hosts that are not tokens are quoted (§4, §6). */
export function forwardedElement(ip: string, host: string, proto: string): string {
  const node = ip.indexOf(':') !== -1 ? `"[${ip}]"` : ip;
  const hostValue = TOKEN.test(host) ? host : `"${host.replace(/["\\]/g, '\\$&')}"`;
  return `for=${node};host=${hostValue};proto=${proto}`;
}

const TOKEN = /^[A-Za-z0-9.\-_~!$&'*+^`|]+$/;
