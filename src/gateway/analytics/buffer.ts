import type { CallRecord } from '../../domain/analytics.ts';

export interface BufferStats {
  /** Records accepted into the buffer. */
  recorded: number;
  /** Records dropped because the buffer was full (never blocks a request instead). */
  dropped: number;
}

/**
 * The request path's only analytics cost: push one record into an array. When the array holds
 * `capacity` records, further records are dropped and counted until the next flush empties it.
 */
export class RecordBuffer {
  #records: CallRecord[] = [];
  readonly stats: BufferStats = { recorded: 0, dropped: 0 };

  constructor(readonly capacity: number) {}

  push(record: CallRecord): void {
    if (this.#records.length >= this.capacity) {
      this.stats.dropped++;
      return;
    }
    this.#records.push(record);
    this.stats.recorded++;
  }

  get size(): number {
    return this.#records.length;
  }

  /** Hands over everything buffered so far and starts a new array. */
  drain(): CallRecord[] {
    const out = this.#records;
    this.#records = [];
    return out;
  }
}
