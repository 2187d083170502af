import type { FastifyInstance } from 'fastify';
import { Api, ApiCreate, ApiUpdate } from '../../domain/api.ts';
import { Backend, BackendCreate, BackendUpdate } from '../../domain/backend.ts';
import { Group, GroupCreate, GroupUpdate } from '../../domain/group.ts';
import { NamedValue, NamedValueCreate, NamedValueUpdate } from '../../domain/named-value.ts';
import { Policy, PolicyCreate, PolicyUpdate } from '../../domain/policy.ts';
import { Product, ProductCreate, ProductUpdate } from '../../domain/product.ts';
import { apis } from '../../services/apis.ts';
import { backends } from '../../services/backends.ts';
import type { Services } from '../../services/context.ts';
import { groups } from '../../services/groups.ts';
import { namedValuesResource } from '../../services/named-values.ts';
import { policies } from '../../services/policies.ts';
import { products } from '../../services/products.ts';
import { crudRoutes } from './crud.ts';

/** The configuration a publisher edits: backends, APIs, products, groups, named values, policies. */
export function catalogRoutes(app: FastifyInstance, services: Services): void {
  crudRoutes(app, services, { collection: 'backends', param: 'backendId', tag: 'Backends', singular: 'Backend', noun: 'backend', resource: backends, entity: Backend, create: BackendCreate, update: BackendUpdate });
  crudRoutes(app, services, { collection: 'apis', param: 'apiId', tag: 'APIs', singular: 'Api', noun: 'API', resource: apis, entity: Api, create: ApiCreate, update: ApiUpdate });
  crudRoutes(app, services, { collection: 'products', param: 'productId', tag: 'Products', singular: 'Product', noun: 'product', resource: products, entity: Product, create: ProductCreate, update: ProductUpdate });
  crudRoutes(app, services, { collection: 'groups', param: 'groupId', tag: 'Groups', singular: 'Group', noun: 'group', resource: groups, entity: Group, create: GroupCreate, update: GroupUpdate });
  crudRoutes(app, services, {
    collection: 'named-values',
    param: 'namedValueId',
    tag: 'Named values',
    singular: 'NamedValue', noun: 'named value',
    resource: namedValuesResource(services.sealer) as never,
    entity: NamedValue,
    create: NamedValueCreate,
    update: NamedValueUpdate,
  });
  crudRoutes(app, services, { collection: 'policies', param: 'policyId', tag: 'Policies', singular: 'Policy', noun: 'policy', resource: policies, entity: Policy, create: PolicyCreate, update: PolicyUpdate });
}
