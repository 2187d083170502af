/**
 * Access on the gateway (issue 4): who may call a private API, decided from the compiled snapshot
 * with no I/O except, on a token cache miss, the token's signature check.
 *
 * - An API key (the API's header, or its query parameter when allowed) is looked up by its SHA-256
 *   in a Map built at compile time. Hashing first and looking the digest up makes the lookup
 *   independent of how many characters of the key match a stored one: the Map compares digests, not
 *   keys, so a timing attack learns nothing about valid keys.
 * - An `Authorization: Bearer` token issued by the control plane to an application maps to that
 *   application exactly like its key (APIs with their own `jwt` validation use the bearer for the
 *   identity provider's token instead, and identify the application by its key).
 * - The application's contract covering the API decides: active passes, anything else is refused
 *   with its own code; identity headers are set from it, client-sent copies removed first.
 * Public APIs skip all of it (their `jwt` validation still applies). Keys are never logged.
 */
import type { JWTPayload } from 'jose';
import { sha256 } from '../core/crypto.ts';
import type { ErrorCode } from '../core/errors.ts';
import { TRACE_AUDIENCE, type Snapshot, type SnapshotApi, type SnapshotContractStatus } from '../snapshot/types.ts';
import { ApplicationTokenVerifier, ExternalJwtVerifier, isDenial, type ApplicationToken, type Denial } from './tokens.ts';

export interface CompiledContract {
  readonly id: string;
  readonly status: SnapshotContractStatus;
  readonly productId: string;
  readonly planId: string;
  /** `Gold;version=1`: the value of the plan identity header. */
  readonly plan: string;
}

export interface CompiledConsumer {
  readonly applicationId: string;
  readonly ownerUserId: string | null;
  readonly tokensNotBefore: number;
  readonly contracts: readonly CompiledContract[];
}

export interface AccessTables {
  /** SHA-256 hex of a key → its application. */
  readonly keys: ReadonlyMap<string, CompiledConsumer>;
  readonly applications: ReadonlyMap<string, CompiledConsumer>;
  /** Published product → the API ids it covers. */
  readonly products: ReadonlyMap<string, ReadonlySet<string>>;
  readonly tokens: ApplicationTokenVerifier | null;
  /** Verifies admin trace tokens (same keys, audience portico-trace, subject = organization). */
  readonly traceTokens: ApplicationTokenVerifier | null;
}

export interface RouteAccess {
  readonly private: boolean;
  /** Lower-case header name carrying the key. */
  readonly keyHeader: string;
  /** Problem detail when no credential was sent. */
  readonly missingDetail: string;
  readonly keyQuery: string | null;
  readonly forward: boolean;
  /** Identity header names as configured (sent) and lower-case (to strip). */
  readonly identity: { readonly application: string; readonly plan: string; readonly user: string };
  readonly identityLower: readonly string[];
  readonly jwt: ExternalJwtVerifier | null;
}

/** What the request path knows about the caller once access is granted (policies read it later). */
export interface RequestContext {
  readonly applicationId: string | null;
  readonly contractId: string | null;
  readonly productId: string | null;
  readonly planId: string | null;
  readonly plan: string | null;
  readonly userId: string | null;
  /** Claims of the identity provider's JWT when the API validates one. */
  readonly claims: JWTPayload | null;
  /** The query to forward (the key parameter removed). */
  readonly query: string | null;
}

export type Outcome = RequestContext | Denial;

const CONTRACT_CODES: Record<Exclude<SnapshotContractStatus, 'active'>, ErrorCode> = {
  pending: 'PORTICO_CONTRACT_PENDING',
  suspended: 'PORTICO_CONTRACT_SUSPENDED',
  rejected: 'PORTICO_CONTRACT_REJECTED',
  cancelled: 'PORTICO_CONTRACT_CANCELLED',
};

/** When no active contract covers the API, the one reported: the closest to granting access. */
const STATUS_RANK: Record<SnapshotContractStatus, number> = { active: 0, suspended: 1, pending: 2, rejected: 3, cancelled: 4 };

const EMPTY: AccessTables = Object.freeze({ keys: new Map(), applications: new Map(), products: new Map(), tokens: null, traceTokens: null });

/** Plan names are free text; a header value must be visible ASCII (RFC 9110 §5.5), so the rest is percent-encoded. */
export function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]|%/g, (c) => encodeURIComponent(c));
}

export function compileAccess(snapshot: Snapshot): AccessTables {
  if (snapshot.consumers === undefined && snapshot.tokens === undefined) return EMPTY;
  const products = new Map<string, ReadonlySet<string>>();
  for (const p of snapshot.products ?? []) products.set(p.id, new Set(p.apiIds));
  const plans = new Map<string, string>();
  for (const p of snapshot.plans ?? []) plans.set(p.id, `${headerSafe(p.name)};version=${p.version}`);
  const keys = new Map<string, CompiledConsumer>();
  const applications = new Map<string, CompiledConsumer>();
  for (const c of snapshot.consumers ?? []) {
    if (typeof c.applicationId !== 'string' || !Array.isArray(c.keyHashes) || !Array.isArray(c.contracts)) throw new Error('snapshot: a consumer is malformed');
    const consumer: CompiledConsumer = Object.freeze({
      applicationId: c.applicationId,
      ownerUserId: c.ownerUserId ?? null,
      tokensNotBefore: Number.isFinite(c.tokensNotBefore) ? c.tokensNotBefore : 0,
      contracts: Object.freeze(
        c.contracts.map((k) => Object.freeze({ id: k.id, status: k.status, productId: k.productId, planId: k.planId, plan: plans.get(k.planId) ?? k.planId })),
      ),
    });
    applications.set(c.applicationId, consumer);
    for (const h of c.keyHashes) {
      if (keys.has(h)) throw new Error(`snapshot: key hash shared by two applications (${c.applicationId})`);
      keys.set(h, consumer);
    }
  }
  const tokens = snapshot.tokens ? new ApplicationTokenVerifier(snapshot.tokens) : null;
  const traceTokens = snapshot.tokens ? new ApplicationTokenVerifier({ ...snapshot.tokens, audience: TRACE_AUDIENCE }) : null;
  return Object.freeze({ keys, applications, products, tokens, traceTokens });
}

const HEADER_NAME = /^[A-Za-z0-9-]+$/;

export function compileRouteAccess(api: SnapshotApi, where: string): RouteAccess {
  const header = api.apiKey?.header ?? 'X-API-Key';
  const identity = {
    application: api.identityHeaders?.application ?? 'X-Portico-Application',
    plan: api.identityHeaders?.plan ?? 'X-Portico-Plan',
    user: api.identityHeaders?.user ?? 'X-Portico-User',
  };
  for (const name of [header, identity.application, identity.plan, identity.user]) {
    if (!HEADER_NAME.test(name)) throw new Error(`${where}: ${JSON.stringify(name)} is not a header name`);
  }
  return Object.freeze({
    private: api.visibility !== 'public',
    keyHeader: header.toLowerCase(),
    missingDetail: `Send the API key in the ${header} header${api.apiKey?.queryParam ? ` or the ${api.apiKey.queryParam} query parameter` : ''}${api.jwt ? '' : ', or an application access token as Authorization: Bearer'}`,
    keyQuery: api.apiKey?.queryParam ?? null,
    forward: api.apiKey?.forward === true,
    identity: Object.freeze(identity),
    identityLower: Object.freeze([identity.application.toLowerCase(), identity.plan.toLowerCase(), identity.user.toLowerCase()]),
    jwt: api.jwt ? new ExternalJwtVerifier(api.jwt, where) : null,
  });
}

/**
 * Decides access for one request. Edits `headers` in place (identity headers removed and set, the
 * key or the application token removed unless forwarded). Synchronous unless a token must be
 * verified (cache miss): then a promise.
 */
/**
 * SHA-256 of recently seen keys, so a busy client does not pay a hash per request. Bounded: when
 * full it starts over (a flood of random keys costs what it would without the cache). Holding the
 * keys here is no new exposure: every request carries them through this process's memory anyway.
 */
const KEY_HASHES = new Map<string, string>();
const KEY_HASHES_MAX = 10_000;
/** Longer values are hashed but not cached: real keys are short, and the cache must stay small. */
const KEY_CACHED_MAX_LENGTH = 128;

function keyHash(key: string): string {
  let hash = KEY_HASHES.get(key);
  if (hash === undefined) {
    hash = sha256(key);
    if (key.length > KEY_CACHED_MAX_LENGTH) return hash;
    if (KEY_HASHES.size >= KEY_HASHES_MAX) KEY_HASHES.clear();
    KEY_HASHES.set(key, hash);
  }
  return hash;
}

export function authorize(tables: AccessTables, apiId: string, access: RouteAccess, headers: string[], query: string | null): Outcome | Promise<Outcome> {
  removeHeaders(headers, access.identityLower, null);
  if (access.jwt === null) return identify(tables, apiId, access, headers, query, null);
  const token = bearer(headers);
  if (token === null) return { denied: 'PORTICO_TOKEN_MISSING', detail: 'This API needs a bearer token from its identity provider', challenge: 'Bearer' };
  const verified = access.jwt.verify(token);
  if (verified instanceof Promise) return verified.then((v) => (isDenial(v) ? v : identify(tables, apiId, access, headers, query, v)));
  if (isDenial(verified)) return verified;
  return identify(tables, apiId, access, headers, query, verified);
}

function identify(tables: AccessTables, apiId: string, access: RouteAccess, headers: string[], query: string | null, claims: JWTPayload | null): Outcome | Promise<Outcome> {
  if (!access.private) return { applicationId: null, contractId: null, productId: null, planId: null, plan: null, userId: null, claims, query };
  let key = findHeader(headers, access.keyHeader);
  if (key !== null) {
    if (!access.forward) removeHeaders(headers, null, access.keyHeader);
  } else if (access.keyQuery !== null && query !== null) {
    const found = takeQueryParam(query, access.keyQuery, !access.forward);
    if (found !== null) {
      key = found.value;
      query = found.rest;
    }
  }
  if (key !== null) {
    const consumer = tables.keys.get(keyHash(key));
    if (consumer === undefined) return { denied: 'PORTICO_KEY_INVALID' };
    return grant(tables, apiId, access, headers, consumer, claims, query);
  }
  if (access.jwt === null && tables.tokens !== null) {
    const token = bearer(headers);
    if (token !== null) {
      if (!access.forward) removeHeaders(headers, null, 'authorization');
      const verified = tables.tokens.verify(token);
      const q = query;
      if (verified instanceof Promise) return verified.then((v) => fromToken(tables, apiId, access, headers, v, claims, q));
      return fromToken(tables, apiId, access, headers, verified, claims, q);
    }
  }
  return { denied: 'PORTICO_KEY_MISSING', detail: access.missingDetail };
}

function fromToken(tables: AccessTables, apiId: string, access: RouteAccess, headers: string[], v: ApplicationToken | Denial, claims: JWTPayload | null, query: string | null): Outcome {
  if (isDenial(v)) return v;
  const consumer = tables.applications.get(v.applicationId);
  if (consumer === undefined) return { denied: 'PORTICO_TOKEN_INVALID', detail: 'The application of this token no longer exists', challenge: 'Bearer error="invalid_token"' };
  if (v.issuedAt < consumer.tokensNotBefore) return { denied: 'PORTICO_TOKEN_INVALID', detail: 'The token was revoked', challenge: 'Bearer error="invalid_token"' };
  return grant(tables, apiId, access, headers, consumer, claims, query);
}

function grant(tables: AccessTables, apiId: string, access: RouteAccess, headers: string[], consumer: CompiledConsumer, claims: JWTPayload | null, query: string | null): Outcome {
  let best: CompiledContract | null = null;
  for (const c of consumer.contracts) {
    if (tables.products.get(c.productId)?.has(apiId) !== true) continue;
    if (c.status === 'active') {
      best = c;
      break;
    }
    if (best === null || STATUS_RANK[c.status] < STATUS_RANK[best.status]) best = c;
  }
  if (best === null) return { denied: 'PORTICO_NO_CONTRACT' };
  if (best.status !== 'active') return { denied: CONTRACT_CODES[best.status] };
  const id = access.identity;
  headers.push(id.application, consumer.applicationId, id.plan, best.plan);
  if (consumer.ownerUserId !== null) headers.push(id.user, consumer.ownerUserId);
  return { applicationId: consumer.applicationId, contractId: best.id, productId: best.productId, planId: best.planId, plan: best.plan, userId: consumer.ownerUserId, claims, query };
}

/** First value of a header (lower-case `name`), or null. */
function findHeader(headers: readonly string[], name: string): string | null {
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i]!;
    if (n.length === name.length && n.toLowerCase() === name) return headers[i + 1]!;
  }
  return null;
}

/** Removes every field named in `names` or named `one` (lower-case). */
function removeHeaders(headers: string[], names: readonly string[] | null, one: string | null): void {
  let w = 0;
  for (let r = 0; r < headers.length; r += 2) {
    const n = headers[r]!.toLowerCase();
    if (n === one || (names !== null && names.includes(n))) continue;
    headers[w++] = headers[r]!;
    headers[w++] = headers[r + 1]!;
  }
  headers.length = w;
}

/** The token of `Authorization: Bearer <token>` (RFC 6750 §2.1), or null. */
function bearer(headers: readonly string[]): string | null {
  const v = findHeader(headers, 'authorization');
  if (v === null || v.length < 8 || v.slice(0, 7).toLowerCase() !== 'bearer ') return null;
  const token = v.slice(7).trim();
  return token === '' ? null : token;
}

/** The first `name` parameter of a raw query (decoded) and the query without it (or as is). */
function takeQueryParam(query: string, name: string, remove: boolean): { value: string; rest: string | null } | null {
  const pairs = query.split('&');
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    const eq = pair.indexOf('=');
    if (decode(eq === -1 ? pair : pair.slice(0, eq)) !== name) continue;
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    if (!remove) return { value, rest: query };
    const rest = pairs.filter((p, j) => j !== i && p !== '' && !samePair(p, name)).join('&');
    return { value, rest: rest === '' ? null : rest };
  }
  return null;
}

function samePair(pair: string, name: string): boolean {
  const eq = pair.indexOf('=');
  return decode(eq === -1 ? pair : pair.slice(0, eq)) === name;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
