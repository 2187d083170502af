import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Raw call records, kept for the retention period (default 7 days).
  await db.schema
    .createTable('call_records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('api_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text')
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('call_records_org_at_idx').on('call_records').columns(['organization_id', 'at']).execute();
  await db.schema.createIndex('call_records_at_idx').on('call_records').columns(['at']).execute();
  // Batches already counted: a gateway that retries a batch must not count it twice.
  await db.schema
    .createTable('analytics_batches')
    .addColumn('batch_id', 'text', (c) => c.primaryKey())
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .execute();
  // Roll-ups per minute, hour and day by every dimension; '' stands for "none".
  await db.schema
    .createTable('analytics_rollups')
    .addColumn('granularity', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('api_id', 'text', (c) => c.notNull())
    .addColumn('operation_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('status_class', 'text', (c) => c.notNull())
    .addColumn('calls', 'integer', (c) => c.notNull())
    .addColumn('errors', 'integer', (c) => c.notNull())
    .addColumn('bytes_in', 'bigint', (c) => c.notNull())
    .addColumn('bytes_out', 'bigint', (c) => c.notNull())
    .addColumn('latency', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_rollups_pk', ['granularity', 'bucket', 'organization_id', 'api_id', 'operation_id', 'product_id', 'application_id', 'status_class'])
    .execute();
  await db.schema.createIndex('analytics_rollups_org_idx').on('analytics_rollups').columns(['organization_id', 'granularity', 'bucket']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Portico migrations only move forward');
}
