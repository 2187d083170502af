import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { MAX_BATCH_RECORDS, type CallRecord } from '../../domain/analytics.ts';
import { RecordBuffer } from './buffer.ts';
import type { CallSink, CallTrack } from './track.ts';

export interface ShipperOptions {
  /** Control plane base URL. */
  controlPlaneUrl: string;
  token: string;
  /** Name of this node in the batches it sends. */
  gateway: string;
  /** Flush at least this often (ms). Default 1000. */
  flushMs?: number;
  /** Records buffered between flushes before new ones are dropped. Default 50,000. */
  capacity?: number;
  /** Attempts per batch (same batch id each time, so a retried batch counts once). Default 5. */
  attempts?: number;
  /** Batches kept for retry while the control plane is down; older ones are dropped. Default 20. */
  maxPending?: number;
  /** Records per batch, at most what the control plane accepts (MAX_BATCH_RECORDS, the default). */
  batchSize?: number;
}

const CLOSE = Buffer.from('}');

export interface ShipperStats {
  recorded: number;
  dropped: number;
  shipped: number;
  /** Records given up after every attempt failed or the retry queue overflowed. */
  lost: number;
}

interface PendingBatch {
  /** The whole request body, batch id included (a retry sends the same bytes). */
  body: Buffer;
  count: number;
  attempts: number;
}

/**
 * Ships call records to the control plane in batches, off the request path: a timer drains the
 * buffer, one batch is in flight at a time, failures are retried with the same batch id.
 */
export class AnalyticsShipper implements CallSink {
  readonly #buffer: RecordBuffer;
  readonly #pending: PendingBatch[] = [];
  readonly #opts: Required<ShipperOptions>;
  readonly #timer: NodeJS.Timeout;
  #inFlight: Promise<void> | null = null;
  #shipped = 0;
  #lost = 0;

  constructor(options: ShipperOptions) {
    this.#opts = { flushMs: 1000, capacity: 50_000, attempts: 5, maxPending: 20, batchSize: MAX_BATCH_RECORDS, ...options };
    this.#opts.batchSize = Math.min(Math.max(1, this.#opts.batchSize), MAX_BATCH_RECORDS);
    this.#buffer = new RecordBuffer(this.#opts.capacity);
    this.#timer = setInterval(() => void this.flush(), this.#opts.flushMs);
    this.#timer.unref();
  }

  /** A finished call through this gateway: its figures are copied into the buffer. */
  done(call: CallTrack): void {
    this.#buffer.push(call);
  }

  /** A record made elsewhere. */
  record(record: CallRecord): void {
    this.#buffer.pushRecord(record);
  }

  get stats(): ShipperStats {
    return { ...this.#buffer.stats, shipped: this.#shipped, lost: this.#lost };
  }

  /** Moves buffered records into a batch and sends what is pending; resolves when done trying. */
  flush(): Promise<void> {
    if (this.#buffer.size > 0) {
      // A busy node records more per flush than one batch may carry (the control plane refuses
      // larger batches): each slice is its own batch, with its own id.
      const head = `{"gateway":${JSON.stringify(this.#opts.gateway)},"batchId":"`;
      for (const { json, count } of this.#buffer.drain(this.#opts.batchSize)) {
        const body = Buffer.concat([Buffer.from(`${head}${randomUUID()}","columns":`), json, CLOSE]);
        this.#pending.push({ body, count, attempts: 0 });
      }
      while (this.#pending.length > this.#opts.maxPending) this.#lost += this.#pending.shift()!.count;
    }
    this.#inFlight ??= this.#send().finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  async #send(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending[0]!;
      batch.attempts++;
      try {
        const res = await request(`${this.#opts.controlPlaneUrl}/gateway/v1/analytics`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.#opts.token}`, 'content-type': 'application/json' },
          body: batch.body,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        await res.body.dump();
        if (res.statusCode >= 500) throw new Error(`control plane answered ${res.statusCode}`);
        // 4xx will not get better by retrying: the batch is counted as lost.
        if (res.statusCode < 300) this.#shipped += batch.count;
        else this.#lost += batch.count;
        this.#pending.shift();
      } catch {
        if (batch.attempts >= this.#opts.attempts) {
          this.#lost += batch.count;
          this.#pending.shift();
        }
        return; // try again at the next flush
      }
    }
  }

  /** Sends what is buffered and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
