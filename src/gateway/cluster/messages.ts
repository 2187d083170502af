import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Snapshot } from '../../snapshot/types.ts';

/** A worker registry's metrics as JSON (`Registry.getMetricsAsJSON()`): what the primary merges. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** IPC between the cluster primary and its gateway workers. */
export type ToWorker = { type: 'snapshot'; snapshot: Snapshot } | { type: 'shutdown' } | { type: 'metrics'; id: number };
export type ToPrimary =
  | { type: 'listening'; port: number }
  | { type: 'rejected'; revision: number; error: string }
  | { type: 'metrics'; id: number; metrics: MetricsJson };
