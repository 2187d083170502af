import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { newId } from '../core/ids.ts';
import { bumpRevision } from '../store/index.ts';
import type { Services } from './context.ts';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const ALG = 'EdDSA';

/**
 * The control plane's token signing keys (Ed25519). The newest signs; older ones stay in the JWKS
 * until retired so that tokens issued before a rotation still verify.
 */
export class SigningKeys {
  #current: SigningKey | null = null;
  #public = new Map<string, CryptoKey>();

  constructor(private readonly services: Services) {}

  static readonly alg = ALG;

  async current(): Promise<SigningKey> {
    if (this.#current) return this.#current;
    const row = await this.services.store.db.selectFrom('signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').executeTakeFirst();
    if (row) {
      const privateJwk = JSON.parse(this.services.sealer.open(row.private_sealed)) as JWK;
      this.#current = { kid: row.kid, privateKey: (await importJWK(privateJwk, ALG)) as CryptoKey, publicJwk: JSON.parse(row.public_jwk) as JWK };
      return this.#current;
    }
    return this.rotate();
  }

  /** Creates a new signing key; the previous ones keep verifying. */
  async rotate(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
    const kid = newId('key');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    const privateJwk = await exportJWK(privateKey);
    // The public key travels to gateways in the snapshot (they verify application tokens locally):
    // a new key is a configuration change.
    await this.services.store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('signing_keys')
        .values({ kid, private_sealed: this.services.sealer.seal(JSON.stringify(privateJwk)), public_jwk: JSON.stringify(publicJwk), created_at: this.services.clock.now().toISOString(), retired_at: null })
        .execute();
      await bumpRevision(tx);
    });
    this.#current = { kid, privateKey, publicJwk };
    return this.#current;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.services.store.db.selectFrom('signing_keys').select('public_jwk').where('retired_at', 'is', null).orderBy('created_at', 'desc').execute();
    return { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
  }

  async publicKey(kid: string): Promise<CryptoKey | null> {
    const cached = this.#public.get(kid);
    if (cached) return cached;
    const row = await this.services.store.db.selectFrom('signing_keys').select('public_jwk').where('kid', '=', kid).where('retired_at', 'is', null).executeTakeFirst();
    if (!row) return null;
    const key = (await importJWK(JSON.parse(row.public_jwk) as JWK, ALG)) as CryptoKey;
    this.#public.set(kid, key);
    return key;
  }
}
