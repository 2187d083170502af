/**
 * The admin trace (Azure API Management's request trace): when a request carries a valid trace
 * token, every policy that runs is recorded with its phase, scope, time and decision, and the
 * trace is returned to the caller in the `Portico-Trace` response header. Without the token
 * nothing is recorded (one null check per policy).
 */
import type { Phase } from '../../policies/sdk.ts';

export interface TraceEntry {
  policy: string;
  type: string;
  scope: string;
  scopeId: string | null;
  phase: Phase;
  /** Milliseconds spent in the handler (until its promise settled). */
  ms: number;
  /** continue | answered | refused:<code> | failed:<message> */
  decision: string;
}

/** Response header carrying the trace: base64url of the JSON document. */
export const TRACE_HEADER = 'portico-trace';
/** Request header carrying the trace token. */
export const TRACE_TOKEN_HEADER = 'portico-trace-token';
/** Largest encoded trace sent back; longer ones keep their first entries and say so. */
const MAX_HEADER_BYTES = 16 * 1024;

export class TraceRecorder {
  readonly entries: TraceEntry[] = [];
  readonly #start = performance.now();

  constructor(
    readonly requestId: string,
    readonly apiId: string,
  ) {}

  add(entry: TraceEntry): void {
    this.entries.push(entry);
  }

  /** The header value: base64url(JSON), bounded. */
  encode(backend: { url: string | null; status: number | null }): string {
    const doc = { requestId: this.requestId, api: this.apiId, totalMs: round(performance.now() - this.#start), backend, policies: this.entries, truncated: false };
    let value = Buffer.from(JSON.stringify(doc)).toString('base64url');
    while (value.length > MAX_HEADER_BYTES && doc.policies.length > 0) {
      doc.policies = doc.policies.slice(0, Math.floor(doc.policies.length / 2));
      doc.truncated = true;
      value = Buffer.from(JSON.stringify(doc)).toString('base64url');
    }
    return value;
  }
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
