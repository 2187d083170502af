/**
 * The compiled, frozen form of a snapshot that the request path reads. Built by compile.ts; never
 * mutated after the swap, so a request keeps a consistent view for its whole life.
 */
import type { Pool } from 'undici';
import type { SnapshotTls, VersionScheme } from '../snapshot/types.ts';
import type { RouteAccess } from './access.ts';
import type { RoutePolicies } from './pipeline/chain.ts';
import type { Balancer } from './upstream/balancer.ts';
import type { CircuitBreaker } from './upstream/circuit-breaker.ts';

export interface RouteTarget {
  readonly url: string;
  readonly hostname: string;
  readonly port: number;
  readonly secure: boolean;
  /** Path of the target URL without trailing slash (`/v2` or ``). */
  readonly basePath: string;
  /** `host[:port]` of the target, sent as Host when the backend asks for it. */
  readonly authority: string;
  readonly weight: number;
  readonly pool: Pool;
  readonly breaker: CircuitBreaker;
}

export interface CompiledBackend {
  readonly id: string;
  readonly targets: readonly RouteTarget[];
  readonly balancer: Balancer<RouteTarget>;
  readonly retries: number;
  readonly preserveHost: boolean;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  /** TLS settings, for raw (WebSocket) connections to TLS targets. */
  readonly tls: SnapshotTls | null;
}

export interface CompiledRoute {
  readonly apiId: string;
  readonly organizationId: string;
  readonly operationId: string | null;
  /** What policies and expressions see of the API and the operation. */
  readonly api: { readonly id: string; readonly name: string; readonly version: string | null; readonly organizationId: string };
  readonly operation: { readonly id: string; readonly method: string; readonly path: string } | null;
  /** What the route matches, as a template: `/shop/orders/{id}`, or `/shop/*` for an API without operations (traces, never metrics labels). */
  readonly template: string;
  /** The route's policy chains; null when no scope has a policy for it (the fast path). */
  readonly policies: RoutePolicies | null;
  readonly host: string | null;
  readonly versionScheme: VersionScheme;
  /** Header name (lower case) or query parameter name for `header` / `query` versioning. */
  readonly versionName: string | null;
  readonly version: string | null;
  /** Segments of base path (+ version segment) stripped before joining the target's path. */
  readonly prefixSegments: number;
  readonly maxBodyBytes: number;
  readonly backend: CompiledBackend;
  /** Key, token and identity settings of the API. */
  readonly access: RouteAccess;
}

/** Everything registered at one router path: routes by method, or for every method. */
export interface PathEntry {
  readonly byMethod: Map<string, CompiledRoute[]>;
  readonly any: CompiledRoute[];
}
