import type { CallRecord } from '../../domain/analytics.ts';
import { TEXT_COLUMNS } from '../../domain/call-columns.ts';
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

/** The text fields, in the order they go on the wire. */
const TEXT = Object.keys(TEXT_COLUMNS) as Array<keyof typeof TEXT_COLUMNS>;
const NUMBERS = ['startedAt', 'status', 'gatewayLatencyMs', 'backendLatencyMs', 'bytesIn', 'bytesOut'] as const;
type TextField = keyof typeof TEXT_COLUMNS;
type NumberField = (typeof NUMBERS)[number];

/**
 * The request path's only analytics cost: copy a call's figures into columns — numbers into typed
 * arrays, identifiers as references to strings that already exist — so a call leaves no object
 * behind for the garbage collector to move. When `capacity` calls are held, further ones are
 * dropped and counted until the next drain. Draining writes the calls as the columns of a
 * CallColumns object (domain/call-columns.ts: text as dictionary indexes, times as integers), without
 * building a record object either.
 */
export class RecordBuffer {
  readonly stats: BufferStats = { recorded: 0, dropped: 0 };
  #size = 0;
  readonly #text: Record<TextField, Array<string | null>>;
  readonly #numbers: Record<NumberField, Float64Array>;
  readonly #cacheHit: Uint8Array;
  /** Request ids of ID_BYTES plain characters, as bytes: the call's id string is not kept alive. */
  readonly #ids: Uint8Array;
  /** Other request ids (a client's own, of another length or with characters to escape); null where `#ids` holds it. */
  readonly #otherIds: Array<string | null>;

  constructor(readonly capacity: number) {
    // Full length from the start, so the slots live as long as the buffer and a drain only clears them.
    this.#text = Object.fromEntries(TEXT.map((f) => [f, new Array<string | null>(capacity).fill(null)])) as unknown as Record<TextField, Array<string | null>>;
    this.#otherIds = new Array<string | null>(capacity).fill(null);
    this.#numbers = Object.fromEntries(NUMBERS.map((f) => [f, new Float64Array(capacity)])) as unknown as Record<NumberField, Float64Array>;
    this.#cacheHit = new Uint8Array(capacity);
    this.#ids = new Uint8Array(capacity * ID_BYTES);
  }

  #keepId(i: number, id: string): void {
    if (id.length === ID_BYTES) {
      const b = this.#ids;
      const at = i * ID_BYTES;
      let k = 0;
      for (; k < ID_BYTES; k++) {
        const c = id.charCodeAt(k);
        if (c < 0x20 || c > 0x7e || c === 34 || c === 92) break;
        b[at + k] = c;
      }
      if (k === ID_BYTES) {
        this.#otherIds[i] = null;
        return;
      }
    }
    this.#otherIds[i] = id;
  }

  push(call: CallFigures): void {
    const i = this.#size;
    if (i >= this.capacity) {
      this.stats.dropped++;
      return;
    }
    this.#keepId(i, call.requestId);
    const t = this.#text;
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

  /** Everything held, as CallColumns JSON (UTF-8) of at most `perBatch` calls each; the buffer is then empty. */
  drain(perBatch: number): { json: Buffer; count: number }[] {
    const out: { json: Buffer; count: number }[] = [];
    for (let from = 0; from < this.#size; from += perBatch) {
      const to = Math.min(this.#size, from + perBatch);
      out.push({ json: this.#json(from, to), count: to - from });
    }
    // Let go of the strings until the slots are written again.
    for (const f of TEXT) this.#text[f].fill(null, 0, this.#size);
    this.#otherIds.fill(null, 0, this.#size);
    this.#size = 0;
    return out;
  }

  /** Calls `from`..`to` as the columns of a CallColumns object (call-columns.ts). */
  #json(from: number, to: number): Buffer {
    const t = this.#text;
    const n = this.#numbers;
    const w = new JsonBytes((to - from) * 160 + 1024);
    const strings = new Dictionary();
    // Dictionary indexes first (the dictionary must be complete before it is written), one column at a time.
    const refs = TEXT.map((f) => strings.indexes(t[f], from, to));
    const base = to > from ? n.startedAt[from]! : 0;
    w.ascii(`{"count":${to - from},"strings":[`);
    strings.values.forEach((v, i) => {
      if (i > 0) w.byte(COMMA);
      w.string(v);
    });
    w.ascii(`],"atBase":${base},"at":[`);
    for (let i = from; i < to; i++) {
      if (i > from) w.byte(COMMA);
      w.integer(n.startedAt[i]! - base);
    }
    w.ascii('],"requestId":[');
    for (let i = from; i < to; i++) {
      if (i > from) w.byte(COMMA);
      const other = this.#otherIds[i]!;
      if (other === null) w.quoted(this.#ids, i * ID_BYTES, ID_BYTES);
      else w.string(other);
    }
    w.ascii(']');
    TEXT.forEach((f, c) => {
      w.ascii(`,"${f}":`);
      w.integers(refs[c]!);
    });
    this.#column(w, 'status', n.status, from, to, 1);
    this.#column(w, 'gatewayLatencyUs', n.gatewayLatencyMs, from, to, 1000);
    this.#column(w, 'backendLatencyUs', n.backendLatencyMs, from, to, 1000);
    this.#column(w, 'bytesIn', n.bytesIn, from, to, 1);
    this.#column(w, 'bytesOut', n.bytesOut, from, to, 1);
    this.#column(w, 'cacheHit', this.#cacheHit, from, to, 1);
    w.ascii('}');
    return w.bytes();
  }

  /** A column of whole numbers (`scale` 1000 turns milliseconds into microseconds; -1 stays -1). */
  #column(w: JsonBytes, name: string, values: Float64Array | Uint8Array, from: number, to: number, scale: number): void {
    w.ascii(`,"${name}":[`);
    for (let i = from; i < to; i++) {
      if (i > from) w.byte(COMMA);
      const v = values[i]!;
      w.integer(v < 0 ? -1 : scale === 1 ? v : Math.round(v * scale));
    }
    w.ascii(']');
  }
}

const COMMA = 44;
/** A UUID's length: the ids the gateway makes, and most that clients send. */
const ID_BYTES = 36;


/** Distinct text values of one batch, each given an index in order of first use. */
class Dictionary {
  readonly values: string[] = [];
  readonly #index = new Map<string, number>();

  /** The index of each value of `column` (-1 for null); a run of one value costs one lookup. */
  indexes(column: ReadonlyArray<string | null>, from: number, to: number): Int32Array {
    const out = new Int32Array(to - from);
    let last: string | null | undefined;
    let lastIndex = -1;
    for (let i = from; i < to; i++) {
      const v = column[i]!;
      if (v !== last) {
        last = v;
        if (v === null) lastIndex = -1;
        else {
          let at = this.#index.get(v);
          if (at === undefined) {
            at = this.values.length;
            this.values.push(v);
            this.#index.set(v, at);
          }
          lastIndex = at;
        }
      }
      out[i - from] = lastIndex;
    }
    return out;
  }
}
