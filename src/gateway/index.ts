/** Public face of the gateway (data plane). */
export { createGateway, type Gateway, type GatewayOptions } from './gateway.ts';
export type { SnapshotSource } from './feed/source.ts';
export { RemoteSnapshotSource, type RemoteSnapshotSourceOptions } from './feed/remote-source.ts';
export { runGatewayCluster, type GatewayCluster, type GatewayClusterOptions } from './cluster/primary.ts';
