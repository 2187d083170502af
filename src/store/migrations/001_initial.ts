import type { Kysely, CreateTableBuilder } from 'kysely';

// Portable types only (text, integer): the same migration runs on SQLite and PostgreSQL.
function entity<T extends string>(t: CreateTableBuilder<T, never>) {
  return t
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull());
}

const orgRef = (c: any) => c.notNull().references('organizations.id');

export async function up(db: Kysely<any>): Promise<void> {
  await entity(db.schema.createTable('organizations')).addColumn('name', 'text', (c) => c.notNull()).execute();
  await entity(db.schema.createTable('users'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('memberships')
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['organization_id', 'user_id'])
    .execute();
  await entity(db.schema.createTable('groups'))
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('groups_name_uq', ['organization_id', 'name'])
    .execute();
  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await entity(db.schema.createTable('backends'))
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('backends_name_uq', ['organization_id', 'name'])
    .execute();
  await entity(db.schema.createTable('apis'))
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('base_path', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version_label', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('backend_id', 'text', (c) => c.notNull().references('backends.id'))
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('lifecycle', 'text', (c) => c.notNull())
    .addUniqueConstraint('apis_name_uq', ['organization_id', 'name'])
    // Gateway routes are installation-wide: one API per host + base path + version.
    .addUniqueConstraint('apis_route_uq', ['host', 'base_path', 'version_label'])
    .execute();
  await db.schema
    .createTable('operations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('api_id', 'text', (c) => c.notNull().references('apis.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addUniqueConstraint('operations_uq', ['api_id', 'method', 'path'])
    .execute();
  await entity(db.schema.createTable('products'))
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addUniqueConstraint('products_name_uq', ['organization_id', 'name'])
    .execute();
  await db.schema
    .createTable('product_apis')
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('api_id', 'text', (c) => c.notNull().references('apis.id'))
    .addPrimaryKeyConstraint('product_apis_pk', ['product_id', 'api_id'])
    .execute();
  await db.schema
    .createTable('product_groups')
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addPrimaryKeyConstraint('product_groups_pk', ['product_id', 'group_id'])
    .execute();
  await entity(db.schema.createTable('plans'))
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('plan_version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addUniqueConstraint('plans_version_uq', ['product_id', 'name', 'plan_version'])
    .execute();
  await entity(db.schema.createTable('applications'))
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addUniqueConstraint('applications_name_uq', ['organization_id', 'name'])
    .execute();
  await db.schema
    .createTable('api_keys')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('api_keys_slot_uq', ['application_id', 'slot'])
    .execute();
  await entity(db.schema.createTable('contracts'))
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .execute();
  await entity(db.schema.createTable('named_values'))
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('named_values_name_uq', ['organization_id', 'name'])
    .execute();
  await entity(db.schema.createTable('policies'))
    .addColumn('organization_id', 'text', orgRef)
    .addColumn('scope_type', 'text', (c) => c.notNull())
    .addColumn('scope_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await entity(db.schema.createTable('service_keys'))
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id'))
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();
  await db.schema
    .createTable('config_revision')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .execute();
  await db.insertInto('config_revision').values({ id: 1, revision: 0 }).execute();
  await db.schema.createIndex('audit_org_idx').on('audit_events').columns(['organization_id', 'id']).execute();
  await db.schema.createIndex('contracts_app_idx').on('contracts').columns(['application_id']).execute();
  await db.schema.createIndex('policies_scope_idx').on('policies').columns(['scope_type', 'scope_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Portico migrations only move forward');
}
