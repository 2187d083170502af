import type { Snapshot } from '../../snapshot/types.ts';

/** IPC between the cluster primary and its gateway workers. */
export type ToWorker = { type: 'snapshot'; snapshot: Snapshot } | { type: 'shutdown' };
export type ToPrimary = { type: 'listening'; port: number } | { type: 'rejected'; revision: number; error: string };
