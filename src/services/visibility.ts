import type { Api } from '../domain/api.ts';
import type { Product } from '../domain/product.ts';
import { tables } from '../store/index.ts';
import { hasRole, type Ctx } from './context.ts';

const SERVED = new Set(['published', 'deprecated']);

/**
 * Which products a caller below the publisher role may see (Azure's model): published ones offered
 * to one of their groups. Every developer belongs to the built-in `developers` group, and products
 * offered to `guests` are visible to everyone. A product offered to no group is for administrators.
 * Returns null when the caller sees everything.
 */
export async function productFilter(ctx: Ctx, organizationId: string): Promise<((p: Product) => boolean) | null> {
  if (hasRole(ctx, organizationId, 'publisher')) return null;
  const groups = await tables.groups.all(ctx.store.db, { organization_id: organizationId });
  const mine = new Set(
    (await ctx.store.db.selectFrom('group_members').select('group_id').where('user_id', '=', ctx.actor.id).execute()).map((r) => r.group_id),
  );
  for (const g of groups) if (g.builtin && (g.name === 'developers' || g.name === 'guests')) mine.add(g.id);
  return (p) => p.state === 'published' && p.groupIds.some((g) => mine.has(g));
}

/** APIs a caller below the publisher role may see: served public APIs, and those of visible products. */
export async function apiFilter(ctx: Ctx, organizationId: string): Promise<((a: Api) => boolean) | null> {
  const products = await productFilter(ctx, organizationId);
  if (products === null) return null;
  const visible = new Set((await tables.products.all(ctx.store.db, { organization_id: organizationId })).filter(products).flatMap((p) => p.apiIds));
  return (a) => SERVED.has(a.lifecycle) && (a.visibility === 'public' || visible.has(a.id));
}
