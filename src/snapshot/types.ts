/**
 * The snapshot: an immutable, versioned document of everything a gateway needs (DESIGN.md §1).
 * The control plane builds it from the store; the gateway compiles it into a router and pipelines.
 * This file is the contract between the two planes: add fields, never change their meaning.
 */
export interface Snapshot {
  /** Monotonic revision of the store; every change bumps it. */
  revision: number;
  generatedAt: string;
  backends: SnapshotBackend[];
  apis: SnapshotApi[];
}

export interface SnapshotTarget {
  /** Absolute URL: scheme, host, port and an optional base path (`http://10.0.0.5:8080/v2`). */
  url: string;
  /** Relative weight for `weighted` balancing; ignored by `round-robin`. */
  weight: number;
}

export interface SnapshotBackend {
  id: string;
  name: string;
  targets: SnapshotTarget[];
  balancing: 'round-robin' | 'weighted';
  connectTimeoutMs: number;
  /** Time allowed for response headers to arrive and between body chunks. */
  readTimeoutMs: number;
  /** Extra attempts for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) on connection failure. */
  retries: number;
  /** `preserve` forwards the client's Host; `backend` sends the target's host. */
  hostHeader: 'preserve' | 'backend';
  circuitBreaker: { failureThreshold: number; cooldownMs: number };
  tls: SnapshotTls | null;
}

export interface SnapshotTls {
  /** PEM bundle of CAs trusted for the backend's certificate, in addition to none other. */
  ca: string | null;
  /** PEM client certificate and key for mutual TLS. */
  cert: string | null;
  key: string | null;
  rejectUnauthorized: boolean;
}

export type VersionScheme = 'none' | 'path' | 'header' | 'query';

export interface SnapshotApi {
  id: string;
  organizationId: string;
  name: string;
  /** Base path on the gateway, starting with `/`, no trailing slash (`/echo`). */
  basePath: string;
  /** Optional host the API answers on; null matches any host. */
  host: string | null;
  version: string | null;
  /**
   * How the version is selected: `path` puts it after the base path (`/orders/v2/...`), `header`
   * and `query` read it from the named header or query parameter; `none` ignores it.
   */
  versioning: { scheme: VersionScheme; name: string | null };
  visibility: 'public' | 'private';
  backendId: string;
  /** Empty: every method and path below the base path is forwarded. */
  operations: SnapshotOperation[];
  /** Largest request body accepted, in bytes (413 beyond). */
  maxRequestBodyBytes: number;
}

export interface SnapshotOperation {
  id: string;
  method: string;
  /** OpenAPI path template relative to the base path (`/orders/{id}`). */
  path: string;
}
