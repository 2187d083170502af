/**
 * A whole node's metrics from a cluster: the primary asks every listening worker for its registry
 * over IPC and merges the answers with prom-client's aggregation (counters and histograms summed,
 * each metric's own `aggregator` otherwise). A worker that does not answer in time is left out of
 * that scrape rather than failing it; its counters come back with it (Prometheus treats the dip
 * as a reset).
 */
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { MetricsJson, ToWorker } from './messages.ts';

const WORKER_TIMEOUT_MS = 2_000;

export class ClusterMetrics {
  #next = 0;
  readonly #waiting = new Map<number, (metrics: MetricsJson) => void>();

  /** A worker's answer (from its `message` event). */
  answered(id: number, metrics: MetricsJson): void {
    this.#waiting.get(id)?.(metrics);
  }

  /** Prometheus text of every worker that answered. */
  async collect(workers: readonly Worker[], send: (w: Worker, msg: ToWorker) => void): Promise<string> {
    const answers = await Promise.all(workers.map((w) => this.#ask(w, send)));
    const merged = AggregatorRegistry.aggregate(answers.filter((a): a is MetricsJson => a !== null));
    return merged.metrics();
  }

  get contentType(): string {
    return AggregatorRegistry.PROMETHEUS_CONTENT_TYPE;
  }

  #ask(w: Worker, send: (w: Worker, msg: ToWorker) => void): Promise<MetricsJson | null> {
    const id = this.#next++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(null), WORKER_TIMEOUT_MS);
      const finish = (metrics: MetricsJson | null): void => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(metrics);
      };
      this.#waiting.set(id, finish);
      send(w, { type: 'metrics', id });
    });
  }
}
