import type { Snapshot } from '../../snapshot/types.ts';

/** Where snapshots come from (the control plane's feed, a file, a test). */
export interface SnapshotSource {
  /** Starts delivering; resolves once a first snapshot was delivered or the first attempt failed. */
  start(onSnapshot: (s: Snapshot) => void): Promise<void>;
  stop(): Promise<void>;
}
