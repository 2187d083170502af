/**
 * Bearer token verification on the gateway, local and cached:
 * - application tokens issued by the control plane (`aud` portico-gateway), verified with the
 *   control plane's public keys carried by the snapshot (imported once per snapshot as KeyObjects);
 * - JWTs from an external identity provider configured per API (Azure validate-jwt), verified with
 *   the provider's JWKS, fetched once and refetched on an unknown `kid` at most every 30 s.
 * Verified tokens are cached by their exact string until they expire, in a bounded Map, so a
 * client reusing its token costs one Map lookup per request. Failures are not cached.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { ErrorCode } from '../core/errors.ts';
import type { SnapshotJwt, SnapshotTokenIssuer } from '../snapshot/types.ts';

/** A refusal: the problem code, a detail that never contains the credential, a challenge. */
export interface Denial {
  readonly denied: ErrorCode;
  readonly detail?: string;
  readonly challenge?: string;
}

export function isDenial(v: object): v is Denial {
  return (v as Denial).denied !== undefined;
}

const CACHE_MAX = 10_000;

/** Token → verified result until `until` (Unix seconds); evicts the oldest entry when full. */
export class TokenCache<T> {
  readonly #map = new Map<string, { until: number; value: T }>();
  constructor(readonly max = CACHE_MAX) {}

  get(token: string, now: number): T | undefined {
    const e = this.#map.get(token);
    if (e === undefined) return undefined;
    if (e.until <= now) {
      this.#map.delete(token);
      return undefined;
    }
    return e.value;
  }

  set(token: string, until: number, value: T): void {
    if (this.#map.size >= this.max) {
      // Map iteration order is insertion order: the first key is the oldest entry.
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
    this.#map.set(token, { until, value });
  }

  get size(): number {
    return this.#map.size;
  }
}

const nowSeconds = (): number => Date.now() / 1000;

const invalid = (detail: string): Denial => ({ denied: 'PORTICO_TOKEN_INVALID', detail, challenge: 'Bearer error="invalid_token"' });

/** What an application token proves. */
export interface ApplicationToken {
  readonly applicationId: string;
  readonly issuedAt: number;
}

/** Verifies the control plane's application tokens with the keys of one snapshot. */
export class ApplicationTokenVerifier {
  readonly #keys = new Map<string, KeyObject>();
  readonly #cache = new TokenCache<ApplicationToken>();
  readonly #issuer: string;
  readonly #audience: string;

  constructor(spec: SnapshotTokenIssuer) {
    if (typeof spec.issuer !== 'string' || typeof spec.audience !== 'string' || !Array.isArray(spec.keys)) throw new Error('snapshot: tokens needs issuer, audience and keys');
    this.#issuer = spec.issuer;
    this.#audience = spec.audience;
    for (const jwk of spec.keys) {
      if (typeof jwk.kid !== 'string') throw new Error('snapshot: a token key has no kid');
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new Error(`snapshot: token key ${jwk.kid} is not an Ed25519 key`);
      this.#keys.set(jwk.kid, createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' }));
    }
  }

  verify(token: string): ApplicationToken | Denial | Promise<ApplicationToken | Denial> {
    const cached = this.#cache.get(token, nowSeconds());
    if (cached !== undefined) return cached;
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return invalid('The bearer token is not a JWT');
    }
    const key = kid === undefined ? undefined : this.#keys.get(kid);
    if (key === undefined) return invalid('The bearer token was not issued by this installation');
    return jwtVerify(token, key, { issuer: this.#issuer, audience: this.#audience, algorithms: ['EdDSA'], requiredClaims: ['exp', 'iat', 'sub'] }).then(
      ({ payload }) => {
        const result: ApplicationToken = { applicationId: String(payload.sub), issuedAt: payload.iat! };
        this.#cache.set(token, payload.exp!, result);
        return result;
      },
      (error: unknown) => invalid(reason(error)),
    );
  }
}

// One remote JWKS per URL for the gateway's life: snapshots come and go, the provider's keys and
// the refetch cool-down stay (bounded: a snapshot naming many URLs cannot grow it without limit).
const remoteSets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
const REMOTE_MAX = 1000;

function remoteJwks(url: string): ReturnType<typeof createRemoteJWKSet> {
  let set = remoteSets.get(url);
  if (set === undefined) {
    if (remoteSets.size >= REMOTE_MAX) remoteSets.delete(remoteSets.keys().next().value!);
    set = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 });
    remoteSets.set(url, set);
  }
  return set;
}

const FORBIDDEN_ALG = /^(none|HS\d+)$/i;

/** Verifies JWTs of one external identity provider for one API (claims are kept for policies). */
export class ExternalJwtVerifier {
  readonly #cache = new TokenCache<JWTPayload>();
  readonly #spec: SnapshotJwt;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(spec: SnapshotJwt, where: string) {
    if (typeof spec.issuer !== 'string' || spec.issuer === '') throw new Error(`${where}: jwt.issuer is required`);
    if (!Array.isArray(spec.audiences) || spec.audiences.length === 0) throw new Error(`${where}: jwt.audiences must not be empty`);
    if (!Array.isArray(spec.algorithms) || spec.algorithms.length === 0) throw new Error(`${where}: jwt.algorithms must not be empty`);
    for (const alg of spec.algorithms) if (FORBIDDEN_ALG.test(alg)) throw new Error(`${where}: jwt algorithm ${alg} is not allowed`);
    let url: URL;
    try {
      url = new URL(spec.jwksUrl);
    } catch {
      throw new Error(`${where}: jwt.jwksUrl is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${where}: jwt.jwksUrl must be http or https`);
    this.#spec = { ...spec, requiredClaims: spec.requiredClaims ?? {}, clockSkewSeconds: spec.clockSkewSeconds ?? 30 };
    this.#jwks = remoteJwks(url.href);
  }

  verify(token: string): JWTPayload | Denial | Promise<JWTPayload | Denial> {
    const cached = this.#cache.get(token, nowSeconds());
    if (cached !== undefined) return cached;
    const s = this.#spec;
    return jwtVerify(token, this.#jwks, { issuer: s.issuer, audience: s.audiences, algorithms: s.algorithms, clockTolerance: s.clockSkewSeconds, requiredClaims: ['exp'] }).then(
      ({ payload }) => {
        for (const [name, expected] of Object.entries(s.requiredClaims)) {
          const actual = payload[name];
          const ok = Array.isArray(actual) ? actual.includes(expected) : actual === expected;
          if (!ok) return invalid(`The token's "${name}" claim does not have the required value`);
        }
        this.#cache.set(token, payload.exp! + s.clockSkewSeconds, payload);
        return payload;
      },
      (error: unknown) => invalid(reason(error)),
    );
  }
}

/** A short reason for the problem detail (jose's codes, never the token). */
function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'The token has expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'The token signature is not valid';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'The token is signed with an unknown key';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The token algorithm is not allowed';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: string }).claim;
      return claim ? `The token's "${claim}" claim is not valid` : 'The token claims are not valid';
    }
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JOSE_GENERIC':
      return 'The identity provider keys could not be fetched';
    default:
      return 'The token is not valid';
  }
}
