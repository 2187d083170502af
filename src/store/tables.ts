import type { Api } from '../domain/api.ts';
import type { Application } from '../domain/application.ts';
import type { Backend } from '../domain/backend.ts';
import type { Contract } from '../domain/contract.ts';
import type { Group } from '../domain/group.ts';
import type { NamedValue } from '../domain/named-value.ts';
import type { Organization } from '../domain/organization.ts';
import type { Plan } from '../domain/plan.ts';
import type { Policy } from '../domain/policy.ts';
import type { Product } from '../domain/product.ts';
import type { ServiceKey } from '../domain/service-key.ts';
import type { User } from '../domain/user.ts';
import { EntityTable } from './entities.ts';

/** Stored named values keep the sealed value beside the public fields. */
export type StoredNamedValue = NamedValue & { sealed: string | null };
export type StoredServiceKey = ServiceKey & { secretHash: string };
export type StoredUser = User & { passwordHash: string | null };

/** Every entity table, with the columns the database indexes and constrains. */
export const tables = {
  organizations: new EntityTable<Organization>('organizations', 'Organization', (e) => ({ name: e.name })),
  users: new EntityTable<StoredUser>('users', 'User', (e) => ({ email: e.email.toLowerCase(), password_hash: e.passwordHash, is_admin: e.isAdmin ? 1 : 0 })),
  groups: new EntityTable<Group>('groups', 'Group', (e) => ({ organization_id: e.organizationId, name: e.name, builtin: e.builtin ? 1 : 0 })),
  backends: new EntityTable<Backend>('backends', 'Backend', (e) => ({ organization_id: e.organizationId, name: e.name })),
  apis: new EntityTable<Api>('apis', 'API', (e) => ({
    organization_id: e.organizationId,
    name: e.name,
    base_path: e.basePath,
    host: e.host ?? '',
    version_label: e.version ?? '',
    backend_id: e.backendId,
    visibility: e.visibility,
    lifecycle: e.lifecycle,
  })),
  products: new EntityTable<Product>('products', 'Product', (e) => ({ organization_id: e.organizationId, name: e.name, state: e.state })),
  plans: new EntityTable<Plan>('plans', 'Plan', (e) => ({
    organization_id: e.organizationId,
    product_id: e.productId,
    name: e.name,
    plan_version: e.planVersion,
    status: e.status,
  })),
  applications: new EntityTable<Application>('applications', 'Application', (e) => ({
    organization_id: e.organizationId,
    name: e.name,
    owner_user_id: e.ownerUserId,
    client_id: e.clientId,
  })),
  contracts: new EntityTable<Contract>('contracts', 'Contract', (e) => ({
    organization_id: e.organizationId,
    application_id: e.applicationId,
    product_id: e.productId,
    plan_id: e.planId,
    status: e.status,
  })),
  namedValues: new EntityTable<StoredNamedValue>('named_values', 'Named value', (e) => ({ organization_id: e.organizationId, name: e.name })),
  policies: new EntityTable<Policy>('policies', 'Policy', (e) => ({
    organization_id: e.organizationId,
    scope_type: e.scope.type,
    scope_id: e.scope.id ?? '',
    position: e.position,
  })),
  serviceKeys: new EntityTable<StoredServiceKey>('service_keys', 'Service key', (e) => ({
    organization_id: e.organizationId,
    client_id: e.clientId,
    secret_hash: e.secretHash,
    revoked: 0,
  })),
};
