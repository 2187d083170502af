/**
 * The snapshot: an immutable, versioned document of everything a gateway needs (DESIGN.md §1).
 * The control plane builds it from the store; the gateway compiles it into a router and pipelines.
 * This file is the contract between the two planes: add fields, never change their meaning.
 */
/** Audience of the admin trace tokens (subject: the organization whose calls may be traced). */
export const TRACE_AUDIENCE = 'portico-trace';

export interface Snapshot {
  /** Monotonic revision of the store; every change bumps it. */
  revision: number;
  generatedAt: string;
  backends: SnapshotBackend[];
  apis: SnapshotApi[];
  /**
   * Who may call private APIs (issue 4). Absent in snapshots built before access control: then no
   * consumer exists and every private API refuses calls. The size is linear: each key hash,
   * contract, product–API link and plan appears once.
   */
  consumers?: SnapshotConsumer[];
  /** Published products: which APIs each covers. */
  products?: SnapshotProduct[];
  /** Plans that contracts in `consumers` use. */
  plans?: SnapshotPlan[];
  /** How to verify access tokens the control plane issued to applications; null: none. */
  tokens?: SnapshotTokenIssuer | null;
  /** Enabled policies of every scope (issue 5); absent: none. */
  policies?: SnapshotPolicy[];
  /**
   * Named values that policies reference as `{{name}}`, decrypted: they travel only to
   * authenticated gateways and live only in their memory (like backend client keys).
   */
  namedValues?: SnapshotNamedValue[];
}

export type SnapshotPolicyScope = 'global' | 'product' | 'plan' | 'api' | 'operation' | 'application';

export interface SnapshotPolicy {
  id: string;
  organizationId: string;
  scope: { type: SnapshotPolicyScope; id: string | null };
  /** Policy type name (the registry in src/policies/registry.ts). */
  type: string;
  config: Record<string, unknown>;
  /** Order inside the scope (then by id). */
  position: number;
}

export interface SnapshotNamedValue {
  organizationId: string;
  name: string;
  value: string;
}

/** One application: its keys (by hash), OAuth client and contracts on published products. */
export interface SnapshotConsumer {
  applicationId: string;
  organizationId: string;
  name: string;
  ownerUserId: string | null;
  /** SHA-256 (hex) of the primary and secondary API keys. */
  keyHashes: string[];
  clientId: string;
  /** Tokens issued before this time (Unix seconds, `iat` < value) are revoked; 0: none. */
  tokensNotBefore: number;
  contracts: SnapshotContract[];
}

export type SnapshotContractStatus = 'pending' | 'active' | 'suspended' | 'rejected' | 'cancelled';

export interface SnapshotContract {
  id: string;
  status: SnapshotContractStatus;
  productId: string;
  planId: string;
}

export interface SnapshotProduct {
  id: string;
  apiIds: string[];
}

export interface SnapshotPlan {
  id: string;
  name: string;
  version: number;
}

export interface SnapshotTokenIssuer {
  /** Expected `iss`. */
  issuer: string;
  /** Expected `aud` (`portico-gateway`). */
  audience: string;
  /** Public JWKs of every signing key not retired (so tokens survive a rotation). */
  keys: SnapshotJwk[];
}

/** A public JSON Web Key (RFC 7517). */
export interface SnapshotJwk {
  kty: string;
  kid?: string;
  alg?: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  [other: string]: unknown;
}

export interface SnapshotApiKeySettings {
  /** Header carrying the key (`X-API-Key`). */
  header: string;
  /** Query parameter allowed to carry the key; null: header only. */
  queryParam: string | null;
  /** Forward the key (and a control-plane token) to the backend; false strips it. */
  forward: boolean;
}

export interface SnapshotIdentityHeaders {
  application: string;
  plan: string;
  user: string;
}

/** Validation of a JWT from an external identity provider (Azure validate-jwt). */
export interface SnapshotJwt {
  issuer: string;
  audiences: string[];
  jwksUrl: string;
  algorithms: string[];
  requiredClaims: Record<string, string | number | boolean>;
  clockSkewSeconds: number;
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
  /** Absent in older snapshots: `X-API-Key`, no query parameter, stripped. */
  apiKey?: SnapshotApiKeySettings;
  /** Absent in older snapshots: `X-Portico-Application`, `X-Portico-Plan`, `X-Portico-User`. */
  identityHeaders?: SnapshotIdentityHeaders;
  /** External JWT validation; null or absent: none. */
  jwt?: SnapshotJwt | null;
}

export interface SnapshotOperation {
  id: string;
  method: string;
  /** OpenAPI path template relative to the base path (`/orders/{id}`). */
  path: string;
  /** The operation's OpenAPI description (parameters, bodies, responses) when the API has one. */
  spec?: SnapshotOperationSpec;
}

/** One operation of an imported OpenAPI document, dereferenced (src/snapshot/operation-spec.ts). */
export interface SnapshotOperationSpec {
  /** Decides the schema dialect: 3.0 and Swagger 2.0 use `nullable` and draft-4 style keywords. */
  format: 'openapi-3.0' | 'openapi-3.1' | 'swagger-2.0';
  /** OpenAPI 3 parameter objects, the path item's merged in (the operation's win). */
  parameters: Record<string, unknown>[];
  /** OpenAPI 3 request body object, or null when the operation declares none. */
  requestBody: Record<string, unknown> | null;
  /** OpenAPI 3 responses object (status or `default` → response). */
  responses: Record<string, unknown>;
  /** Targets of the `$ref`s left in the schemas (cycles), by JSON pointer into the document. */
  refs: Record<string, unknown>;
}
