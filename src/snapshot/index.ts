export type * from './types.ts';
export { buildSnapshot } from './builder.ts';
export { SnapshotFeed } from './feed.ts';
