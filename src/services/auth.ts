import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { PorticoError } from '../core/errors.ts';
import { safeEqual, sha256 } from '../core/crypto.ts';
import { randomToken } from '../core/ids.ts';
import type { Role } from '../domain/common.ts';
import { GATEWAY_AUDIENCE } from '../snapshot/access.ts';
import { TRACE_AUDIENCE } from '../snapshot/types.ts';
import { tables } from '../store/index.ts';
import type { StoredApplication } from './applications.ts';
import type { Principal, Services } from './context.ts';
import { verifyPassword } from './passwords.ts';
import { SigningKeys } from './signing-keys.ts';

export const TOKEN_TTL_SECONDS = 900;
/** Lifetime of the tokens applications get for calling APIs on the gateway. */
export const APPLICATION_TOKEN_TTL_SECONDS = 300;
export const SESSION_TTL_SECONDS = 8 * 3600;
const MANAGEMENT_AUDIENCE = 'portico-management';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/**
 * Who may call the management API: bearer tokens from the client-credentials grant (RFC 6749 §4.4)
 * signed by the control plane, and console sessions started with a password.
 */
export class Authenticator {
  readonly keys: SigningKeys;

  constructor(
    private readonly services: Services,
    private readonly issuer: string,
  ) {
    this.keys = new SigningKeys(services);
  }

  /**
   * Verifies a service key's or an application's client credentials and issues a short-lived
   * access token: for the management API (service keys) or for the gateway (applications, `aud`
   * portico-gateway, `sub` the application id).
   */
  async issueToken(clientId: string, clientSecret: string): Promise<IssuedToken> {
    const row = await this.services.store.db.selectFrom('service_keys').select(['id', 'secret_hash', 'revoked']).where('client_id', '=', clientId).executeTakeFirst();
    if (row === undefined) {
      const app = await tables.applications.findBy(this.services.store.db, { client_id: clientId });
      if (app !== null) return this.#issueApplicationToken(app.entity as StoredApplication, clientSecret);
    }
    // Compare even when the client is unknown so that timing does not reveal which ids exist.
    const ok = safeEqual(row?.secret_hash ?? sha256(randomToken()), sha256(clientSecret)) && row !== undefined && row.revoked === 0;
    if (!ok) throw new PorticoError('PORTICO_INVALID_CLIENT', 'Unknown client or wrong secret');
    const key = await this.keys.current();
    const token = await new SignJWT({ client_id: clientId })
      .setProtectedHeader({ alg: SigningKeys.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(MANAGEMENT_AUDIENCE)
      .setSubject(`service-key:${clientId}`)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
      .setJti(randomToken(12))
      .sign(key.privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS };
  }

  async #issueApplicationToken(app: StoredApplication, clientSecret: string): Promise<IssuedToken> {
    // Constant-time on the secret; an application without a secret hash compares with a random one.
    const ok = safeEqual(app.clientSecretHash ?? sha256(randomToken()), sha256(clientSecret)) && app.clientSecretHash !== undefined;
    if (!ok) throw new PorticoError('PORTICO_INVALID_CLIENT', 'Unknown client or wrong secret');
    const key = await this.keys.current();
    // Never before the revocation cut-off: a token issued with the new secret in the same second
    // as the regeneration must not look revoked (iat is in whole seconds).
    const iat = Math.max(Math.floor(Date.now() / 1000), app.tokensNotBefore ?? 0);
    const token = await new SignJWT({ client_id: app.clientId })
      .setProtectedHeader({ alg: SigningKeys.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(GATEWAY_AUDIENCE)
      .setSubject(app.id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + APPLICATION_TOKEN_TTL_SECONDS)
      .setJti(randomToken(12))
      .sign(key.privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: APPLICATION_TOKEN_TTL_SECONDS };
  }

  /**
   * A token that makes the gateway trace the policies of calls to this organization's APIs
   * (header `Portico-Trace-Token`). Short-lived; the caller's role was checked by the route.
   */
  async issueTraceToken(organizationId: string, ttlSeconds: number): Promise<{ token: string; expiresAt: string }> {
    const key = await this.keys.current();
    const iat = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: SigningKeys.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(TRACE_AUDIENCE)
      .setSubject(organizationId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .setJti(randomToken(12))
      .sign(key.privateKey);
    return { token, expiresAt: new Date((iat + ttlSeconds) * 1000).toISOString() };
  }

  /** Resolves a bearer token to its principal, refusing expired, foreign or revoked ones. */
  async fromBearer(token: string): Promise<Principal> {
    let clientId: string;
    try {
      const { kid } = decodeProtectedHeader(token);
      const key = kid ? await this.keys.publicKey(kid) : null;
      if (!key) throw new Error('unknown key');
      const { payload } = await jwtVerify(token, key, { issuer: this.issuer, audience: MANAGEMENT_AUDIENCE, algorithms: [SigningKeys.alg] });
      clientId = String(payload.client_id);
    } catch {
      throw new PorticoError('PORTICO_UNAUTHENTICATED', 'The access token is invalid or expired');
    }
    const row = await this.services.store.db.selectFrom('service_keys').selectAll().where('client_id', '=', clientId).where('revoked', '=', 0).executeTakeFirst();
    if (!row) throw new PorticoError('PORTICO_UNAUTHENTICATED', 'The service key behind this token was revoked');
    const role = (JSON.parse(row.data) as { role: Role }).role;
    return {
      kind: 'service-key',
      id: row.id,
      label: `service-key:${clientId}`,
      isAdmin: row.organization_id === null,
      roles: row.organization_id === null ? {} : { [row.organization_id]: role },
    };
  }

  /** Starts a console session; returns the session id to put in an HttpOnly cookie. */
  async signIn(email: string, password: string): Promise<{ sessionId: string; userId: string; expiresAt: string }> {
    const user = await this.services.store.db.selectFrom('users').select(['id', 'password_hash']).where('email', '=', email.toLowerCase()).executeTakeFirst();
    const ok = user?.password_hash ? await verifyPassword(user.password_hash, password) : false;
    if (!user || !ok) throw new PorticoError('PORTICO_INVALID_CREDENTIALS');
    const sessionId = randomToken(32);
    const now = this.services.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000).toISOString();
    await this.services.store.db.insertInto('sessions').values({ id_hash: sha256(sessionId), user_id: user.id, expires_at: expiresAt, created_at: now.toISOString() }).execute();
    return { sessionId, userId: user.id, expiresAt };
  }

  async signOut(sessionId: string): Promise<void> {
    await this.services.store.db.deleteFrom('sessions').where('id_hash', '=', sha256(sessionId)).execute();
  }

  async fromSession(sessionId: string): Promise<Principal> {
    const row = await this.services.store.db.selectFrom('sessions').selectAll().where('id_hash', '=', sha256(sessionId)).executeTakeFirst();
    if (!row || row.expires_at <= this.services.clock.now().toISOString()) throw new PorticoError('PORTICO_UNAUTHENTICATED', 'The session expired; sign in again');
    return this.userPrincipal(row.user_id);
  }

  async userPrincipal(userId: string): Promise<Principal> {
    const user = await this.services.store.db.selectFrom('users').select(['id', 'is_admin']).where('id', '=', userId).executeTakeFirstOrThrow();
    const memberships = await this.services.store.db.selectFrom('memberships').select(['organization_id', 'role']).where('user_id', '=', userId).execute();
    return {
      kind: 'user',
      id: user.id,
      label: `user:${user.id}`,
      isAdmin: user.is_admin === 1,
      roles: Object.fromEntries(memberships.map((m) => [m.organization_id, m.role as Role])),
    };
  }
}
