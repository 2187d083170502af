/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the gateway continues the client's
 * trace when its `traceparent` is valid, else starts a new one, and always sends the backend a
 * `traceparent` naming the gateway's own span as parent. A malformed header is never forwarded:
 * the trace restarts and the client's `tracestate` goes with it (§3.3.1, §3.5).
 */
import { randomFillSync } from 'node:crypto';

export interface SpanContext {
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** The gateway's span: 16 hex digits, new for every call. */
  readonly spanId: string;
  /** The client's span when the trace was continued, else null. */
  readonly parentSpanId: string | null;
  /** Two hex digits; bit 0 is `sampled`. */
  readonly flags: string;
  /** The client's tracestate, forwarded as is (only with a valid traceparent). */
  readonly state: string | null;
}

// Ids come from a pool of random bytes refilled 8 KiB at a time: one crypto call per ~340 calls.
const POOL = Buffer.allocUnsafe(8192);
let used = POOL.length;

function randomHex(bytes: number): string {
  if (used + bytes > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const hex = POOL.toString('hex', used, used + bytes);
  used += bytes;
  // An all-zero id is invalid (§3.2.2.3-4); at 2^-64 odds a redraw is the whole cure.
  return /^0+$/.test(hex) ? randomHex(bytes) : hex;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
// §3.3.1.1: at most 32 list members of printable ASCII; 512 characters is the size every
// vendor must propagate, so anything longer is dropped rather than cut mid-member.
const TRACESTATE = /^[\x20-\x7e]{0,512}$/;

/**
 * The call's span context. `traceparent` is null when absent and '' when the client sent it more
 * than once (then it is invalid, §3.2).
 */
export function spanContext(traceparent: string | null, tracestate: string | null): SpanContext {
  const m = traceparent === null ? null : TRACEPARENT.exec(traceparent);
  if (m !== null) {
    const version = m[1]!;
    const traceId = m[2]!;
    const parent = m[3]!;
    // Version ff is forbidden; version 00 has nothing after the flags; later versions may (§3.2.4).
    const versionOk = version !== 'ff' && (version !== '00' || m[5] === undefined);
    if (versionOk && traceId !== ZERO_TRACE && parent !== ZERO_SPAN) {
      const state = tracestate !== null && TRACESTATE.test(tracestate) && tracestate.trim() !== '' ? tracestate : null;
      return { traceId, spanId: randomHex(8), parentSpanId: parent, flags: m[4]!, state };
    }
  }
  // A new trace is sampled: whether its span is exported depends only on an exporter being set.
  return { traceId: randomHex(16), spanId: randomHex(8), parentSpanId: null, flags: '01', state: null };
}

/** The traceparent the backend receives: same trace, the gateway's span as parent, version 00. */
export function traceparentFor(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${span.flags}`;
}

export function isSampled(span: SpanContext): boolean {
  return (parseInt(span.flags, 16) & 1) === 1;
}
