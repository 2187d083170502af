/**
 * Tracks whether Redis is reachable, so an outage is logged once when it starts and once when it
 * ends — not once per request — and counted for `/metrics`.
 */
import type { LimitsLog, LimitsStats } from './types.ts';

export class OutageTracker {
  #down = false;
  readonly #replyErrors = new Set<string>();
  readonly #stats: LimitsStats;
  readonly #log: LimitsLog;

  constructor(stats: LimitsStats, log: LimitsLog) {
    this.#stats = stats;
    this.#log = log;
  }

  get down(): boolean {
    return this.#down;
  }

  /** Redis could not be reached or did not answer in time. */
  unreachable(err: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.#stats.outages++;
    this.#log('warn', 'counter store unreachable', { error: err instanceof Error ? err.message : String(err) });
  }

  /** Redis answered (a command succeeded, or the connection is ready again). */
  reachable(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#log('info', 'counter store back');
  }

  /** Redis answered with an error: a bug or a misconfiguration, logged once per distinct message. */
  replyError(err: Error): void {
    this.#stats.errors++;
    if (this.#replyErrors.has(err.message) || this.#replyErrors.size >= 32) return;
    this.#replyErrors.add(err.message);
    this.#log('error', 'counter store error', { error: err.message });
  }
}
