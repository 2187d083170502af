/**
 * The access part of the snapshot (issue 4): applications with their key hashes, OAuth client and
 * contracts on published products, the products' API lists, the plans those contracts use, and the
 * public keys that verify the control plane's access tokens. Normalised so the snapshot stays
 * linear in size: a contract names its product and plan by id instead of repeating them.
 */
import type { Application } from '../domain/application.ts';
import type { Contract } from '../domain/contract.ts';
import { tables, type Tx } from '../store/index.ts';
import type { SnapshotConsumer, SnapshotJwk, SnapshotPlan, SnapshotProduct, SnapshotTokenIssuer } from './types.ts';

/** Audience of the access tokens the control plane issues to applications for the gateway. */
export const GATEWAY_AUDIENCE = 'portico-gateway';

export interface SnapshotAccess {
  consumers: SnapshotConsumer[];
  products: SnapshotProduct[];
  plans: SnapshotPlan[];
  tokens: SnapshotTokenIssuer | null;
}

export async function buildAccess(tx: Tx, issuer: string | null): Promise<SnapshotAccess> {
  const products = await tables.products.all(tx, { state: 'published' });
  const published = new Set(products.map((p) => p.id));
  const contracts = (await tables.contracts.all(tx)).filter((c) => published.has(c.productId));
  const byApp = new Map<string, Contract[]>();
  for (const c of contracts) {
    const list = byApp.get(c.applicationId);
    if (list) list.push(c);
    else byApp.set(c.applicationId, [c]);
  }
  const usedPlans = new Set(contracts.map((c) => c.planId));
  const plans = (await tables.plans.all(tx)).filter((p) => usedPlans.has(p.id));
  const keyRows = await tx.selectFrom('api_keys').select(['hash', 'application_id']).orderBy('slot').execute();
  const keys = new Map<string, string[]>();
  for (const k of keyRows) {
    const list = keys.get(k.application_id);
    if (list) list.push(k.hash);
    else keys.set(k.application_id, [k.hash]);
  }
  const applications = (await tables.applications.all(tx)) as (Application & { tokensNotBefore?: number })[];
  const consumers = applications.map(
    (a): SnapshotConsumer => ({
      applicationId: a.id,
      organizationId: a.organizationId,
      name: a.name,
      ownerUserId: a.ownerUserId,
      keyHashes: keys.get(a.id) ?? [],
      clientId: a.clientId,
      tokensNotBefore: a.tokensNotBefore ?? 0,
      contracts: (byApp.get(a.id) ?? []).map((c) => ({ id: c.id, status: c.status, productId: c.productId, planId: c.planId })),
    }),
  );
  let tokens: SnapshotTokenIssuer | null = null;
  if (issuer !== null) {
    const rows = await tx.selectFrom('signing_keys').select('public_jwk').where('retired_at', 'is', null).orderBy('created_at', 'desc').execute();
    tokens = { issuer, audience: GATEWAY_AUDIENCE, keys: rows.map((r) => JSON.parse(r.public_jwk) as SnapshotJwk) };
  }
  return {
    consumers,
    products: products.map((p) => ({ id: p.id, apiIds: [...p.apiIds] })),
    plans: plans.map((p) => ({ id: p.id, name: p.name, version: p.planVersion })),
    tokens,
  };
}
