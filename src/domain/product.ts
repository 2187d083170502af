import { Type, type Static } from 'typebox';
import { Description, Id, Meta, Name, literals } from './common.ts';

const fields = {
  description: Type.Optional(Description),
  access: Type.Optional(literals(['open', 'protected'] as const, 'Protected products need a contract (subscription)')),
  approval: Type.Optional(literals(['auto', 'manual'] as const, 'Manual: new contracts wait for approval')),
  state: Type.Optional(literals(['draft', 'published'] as const, 'Only published products take contracts')),
  apiIds: Type.Optional(Type.Array(Id, { maxItems: 500, uniqueItems: true, description: 'APIs in the product' })),
  groupIds: Type.Optional(Type.Array(Id, { maxItems: 500, uniqueItems: true, description: 'Groups that can see the product' })),
};

export const ProductCreate = Type.Object({ name: Name, ...fields }, { additionalProperties: false });
export const ProductUpdate = Type.Partial(ProductCreate, { additionalProperties: false });
export const Product = Type.Object({
  ...Meta,
  organizationId: Id,
  name: Name,
  description: Description,
  access: Type.String(),
  approval: Type.String(),
  state: Type.String(),
  apiIds: Type.Array(Id),
  groupIds: Type.Array(Id),
});

export type ProductCreate = Static<typeof ProductCreate>;
export type ProductUpdate = Static<typeof ProductUpdate>;
export type Product = Static<typeof Product>;

export const PRODUCT_DEFAULTS = { description: '', access: 'protected', approval: 'auto', state: 'draft', apiIds: [], groupIds: [] } as const;
