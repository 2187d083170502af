import type { CallRecord } from '../../domain/analytics.ts';
import { JsonBytes } from './json-bytes.ts';

export interface BufferStats {
  /** Records accepted into the buffer. */
  recorded: number;
  /** Records dropped because the buffer was full (never blocks a request instead). */
  dropped: number;
}

/** What the buffer copies from a finished call (a CallTrack, or a record decoded for it). */
export interface CallFigures {
  readonly startedAt: number;
  readonly requestId: string;
  readonly organizationId: string;
  readonly apiId: string;
  readonly operationId: string | null;
  readonly productId: string | null;
  readonly planId: string | null;
  readonly applicationId: string | null;
  readonly userId: string | null;
  readonly clientIp: string;
  readonly method: string;
  readonly status: number;
  readonly gatewayLatencyMs: number;
  readonly backendLatencyMs: number | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly cacheHit: boolean;
  readonly errorCode: string | null;
}

const TEXT = ['requestId', 'organizationId', 'apiId', 'operationId', 'productId', 'planId', 'applicationId', 'userId', 'clientIp', 'method', 'errorCode'] as const;
const NUMBERS = ['startedAt', 'status', 'gatewayLatencyMs', 'backendLatencyMs', 'bytesIn', 'bytesOut'] as const;
type TextField = (typeof TEXT)[number];
type NumberField = (typeof NUMBERS)[number];

/**
 * The request path's only analytics cost: copy a call's figures into columns — numbers into typed
 * arrays, identifiers as references to strings that already exist — so a call leaves no object
 * behind for the garbage collector to move. When `capacity` calls are held, further ones are
 * dropped and counted until the next drain. Draining writes the calls as the JSON array of
 * CallRecord the control plane ingests, without building a record object either.
 */
export class RecordBuffer {
  readonly stats: BufferStats = { recorded: 0, dropped: 0 };
  #size = 0;
  readonly #text: Record<TextField, Array<string | null>>;
  readonly #numbers: Record<NumberField, Float64Array>;
  readonly #cacheHit: Uint8Array;

  constructor(readonly capacity: number) {
    this.#text = Object.fromEntries(TEXT.map((f) => [f, []])) as unknown as Record<TextField, Array<string | null>>;
    this.#numbers = Object.fromEntries(NUMBERS.map((f) => [f, new Float64Array(capacity)])) as unknown as Record<NumberField, Float64Array>;
    this.#cacheHit = new Uint8Array(capacity);
  }

  push(call: CallFigures): void {
    const i = this.#size;
    if (i >= this.capacity) {
      this.stats.dropped++;
      return;
    }
    const t = this.#text;
    t.requestId[i] = call.requestId;
    t.organizationId[i] = call.organizationId;
    t.apiId[i] = call.apiId;
    t.operationId[i] = call.operationId;
    t.productId[i] = call.productId;
    t.planId[i] = call.planId;
    t.applicationId[i] = call.applicationId;
    t.userId[i] = call.userId;
    t.clientIp[i] = call.clientIp;
    t.method[i] = call.method;
    t.errorCode[i] = call.errorCode;
    const n = this.#numbers;
    n.startedAt[i] = call.startedAt;
    n.status[i] = call.status;
    n.gatewayLatencyMs[i] = call.gatewayLatencyMs;
    n.backendLatencyMs[i] = call.backendLatencyMs ?? -1;
    n.bytesIn[i] = call.bytesIn;
    n.bytesOut[i] = call.bytesOut;
    this.#cacheHit[i] = call.cacheHit ? 1 : 0;
    this.#size = i + 1;
    this.stats.recorded++;
  }

  /** A record built elsewhere (a test, a replay). */
  pushRecord(r: CallRecord): void {
    this.push({ ...r, startedAt: Date.parse(r.at) });
  }

  get size(): number {
    return this.#size;
  }

  /** Everything held, as JSON arrays (UTF-8) of at most `perBatch` CallRecords each; the buffer is then empty. */
  drain(perBatch: number): { json: Buffer; count: number }[] {
    const out: { json: Buffer; count: number }[] = [];
    for (let from = 0; from < this.#size; from += perBatch) {
      const to = Math.min(this.#size, from + perBatch);
      out.push({ json: this.#json(from, to), count: to - from });
    }
    this.#size = 0;
    // Let go of the strings (request ids above all) until the slots are written again.
    for (const f of TEXT) this.#text[f].length = 0;
    return out;
  }

  #json(from: number, to: number): Buffer {
    const t = this.#text;
    const n = this.#numbers;
    const iso = new IsoTime();
    const w = new JsonBytes((to - from) * 400);
    w.ascii('[');
    for (let i = from; i < to; i++) {
      w.ascii(i === from ? '{"at":"' : ',{"at":"');
      w.ascii(iso.of(n.startedAt[i]!));
      w.ascii('","requestId":');
      w.string(t.requestId[i]!);
      w.ascii(',"organizationId":');
      w.string(t.organizationId[i]!);
      w.ascii(',"apiId":');
      w.string(t.apiId[i]!);
      w.ascii(',"operationId":');
      w.string(t.operationId[i]!);
      w.ascii(',"productId":');
      w.string(t.productId[i]!);
      w.ascii(',"planId":');
      w.string(t.planId[i]!);
      w.ascii(',"applicationId":');
      w.string(t.applicationId[i]!);
      w.ascii(',"userId":');
      w.string(t.userId[i]!);
      w.ascii(',"clientIp":');
      w.string(t.clientIp[i]!);
      w.ascii(',"method":');
      w.string(t.method[i]!);
      w.ascii(',"status":');
      w.integer(n.status[i]!);
      w.ascii(',"gatewayLatencyMs":');
      w.millis(n.gatewayLatencyMs[i]!);
      w.ascii(',"backendLatencyMs":');
      const backend = n.backendLatencyMs[i]!;
      if (backend < 0) w.ascii('null');
      else w.millis(backend);
      w.ascii(',"bytesIn":');
      w.integer(n.bytesIn[i]!);
      w.ascii(',"bytesOut":');
      w.integer(n.bytesOut[i]!);
      w.ascii(this.#cacheHit[i] === 1 ? ',"cacheHit":true,"errorCode":' : ',"cacheHit":false,"errorCode":');
      w.string(t.errorCode[i]!);
      w.ascii('}');
    }
    w.ascii(']');
    return Buffer.from(w.bytes());
  }
}

/** ISO 8601 times of one drain: the part up to the second is formatted once per second. */
class IsoTime {
  #second = NaN;
  #prefix = '';

  of(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#prefix = new Date(second * 1000).toISOString().slice(0, 20); // 2026-12-07T08:00:00.
    }
    const milli = ms - second * 1000;
    return this.#prefix + (milli < 10 ? '00' : milli < 100 ? '0' : '') + Math.floor(milli) + 'Z';
  }
}
