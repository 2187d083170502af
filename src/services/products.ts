import { PorticoError } from '../core/errors.ts';
import { PRODUCT_DEFAULTS, type Product, type ProductCreate, type ProductUpdate } from '../domain/product.ts';
import { tables, type Tx } from '../store/index.ts';
import { OrgResource, usage } from './resource.ts';
import { productFilter } from './visibility.ts';

async function checkRefs(tx: Tx, p: Product): Promise<void> {
  for (const [i, apiId] of p.apiIds.entries()) {
    if (!(await tables.apis.find(tx, apiId, p.organizationId))) {
      throw new PorticoError('PORTICO_VALIDATION_FAILED', `API "${apiId}" does not exist in this organization`, { errors: [{ pointer: `/apiIds/${i}`, message: 'unknown API' }] });
    }
  }
  for (const [i, groupId] of p.groupIds.entries()) {
    if (!(await tables.groups.find(tx, groupId, p.organizationId))) {
      throw new PorticoError('PORTICO_VALIDATION_FAILED', `Group "${groupId}" does not exist in this organization`, { errors: [{ pointer: `/groupIds/${i}`, message: 'unknown group' }] });
    }
  }
}

async function writeLinks(tx: Tx, p: Product): Promise<void> {
  await tx.deleteFrom('product_apis').where('product_id', '=', p.id).execute();
  await tx.deleteFrom('product_groups').where('product_id', '=', p.id).execute();
  if (p.apiIds.length > 0) await tx.insertInto('product_apis').values(p.apiIds.map((api_id) => ({ product_id: p.id, api_id }))).execute();
  if (p.groupIds.length > 0) await tx.insertInto('product_groups').values(p.groupIds.map((group_id) => ({ product_id: p.id, group_id }))).execute();
}

export const products = new OrgResource<Product, ProductCreate, ProductUpdate>({
  table: tables.products,
  idPrefix: 'prd',
  entityType: 'product',
  readRole: 'developer',
  writeRole: 'publisher',
  build: (input, base) => ({ ...base, ...PRODUCT_DEFAULTS, ...input, apiIds: input.apiIds ?? [], groupIds: input.groupIds ?? [] }) as Product,
  merge: (current, patch) => ({ ...current, ...patch }) as Product,
  check: checkRefs,
  visibleTo: productFilter,
  afterWrite: writeLinks,
  usedBy: async (tx, e) => usage(await tables.contracts.count(tx, { product_id: e.id }), 'contract') ?? usage(await tables.plans.count(tx, { product_id: e.id }), 'plan'),
  beforeDelete: async (tx, e) => {
    await tx.deleteFrom('product_apis').where('product_id', '=', e.id).execute();
    await tx.deleteFrom('product_groups').where('product_id', '=', e.id).execute();
    await tx.deleteFrom('policies').where('scope_type', '=', 'product').where('scope_id', '=', e.id).execute();
  },
});
