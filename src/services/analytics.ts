import { PorticoError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { GRANULARITIES, bucketStart, statusClass, type CallRecord, type Dimension, type Granularity } from '../domain/analytics.ts';
import type { RecordBatch } from '../domain/call-batch.ts';
import { addValue, emptySketch, mergeInto, quantile, type Sketch } from '../domain/latency-sketch.ts';
import { isUniqueViolation, type Store, type Tx } from '../store/index.ts';
import { hasRole, requireRole, type Ctx } from './context.ts';

interface Delta {
  key: { granularity: Granularity; bucket: string; organization_id: string; api_id: string; operation_id: string; product_id: string; application_id: string; status_class: string };
  calls: number;
  errors: number;
  bytesIn: number;
  bytesOut: number;
  latency: Sketch;
}

/** Sums a batch into one delta per roll-up row, so each row is written once per batch. */
function deltas(records: CallRecord[]): Delta[] {
  const byKey = new Map<string, Delta>();
  for (const r of records) {
    for (const granularity of GRANULARITIES) {
      const key = {
        granularity,
        bucket: bucketStart(r.at, granularity),
        organization_id: r.organizationId,
        api_id: r.apiId,
        operation_id: r.operationId ?? '',
        product_id: r.productId ?? '',
        application_id: r.applicationId ?? '',
        status_class: statusClass(r.status),
      };
      const id = Object.values(key).join('\u0000');
      let d = byKey.get(id);
      if (!d) byKey.set(id, (d = { key, calls: 0, errors: 0, bytesIn: 0, bytesOut: 0, latency: emptySketch() }));
      d.calls++;
      if (r.status >= 400) d.errors++;
      d.bytesIn += r.bytesIn;
      d.bytesOut += r.bytesOut;
      addValue(d.latency, r.gatewayLatencyMs);
    }
  }
  return [...byKey.values()];
}

async function upsert(tx: Tx, store: Store, d: Delta): Promise<void> {
  // Insert the row if missing, then lock and merge: concurrent batches on PostgreSQL serialise on the row.
  await tx
    .insertInto('analytics_rollups')
    .values({ ...d.key, calls: 0, errors: 0, bytes_in: 0, bytes_out: 0, latency: JSON.stringify(emptySketch()) })
    .onConflict((oc) => oc.columns(['granularity', 'bucket', 'organization_id', 'api_id', 'operation_id', 'product_id', 'application_id', 'status_class']).doNothing())
    .execute();
  let q = tx.selectFrom('analytics_rollups').selectAll();
  for (const [column, value] of Object.entries(d.key)) q = q.where(column as keyof Delta['key'], '=', value);
  if (store.dialect === 'postgres') q = q.forUpdate();
  const row = await q.executeTakeFirstOrThrow();
  const latency = JSON.parse(row.latency) as Sketch;
  mergeInto(latency, d.latency);
  let u = tx.updateTable('analytics_rollups').set({
    calls: Number(row.calls) + d.calls,
    errors: Number(row.errors) + d.errors,
    bytes_in: Number(row.bytes_in) + d.bytesIn,
    bytes_out: Number(row.bytes_out) + d.bytesOut,
    latency: JSON.stringify(latency),
  });
  for (const [column, value] of Object.entries(d.key)) u = u.where(column as keyof Delta['key'], '=', value);
  await u.execute();
}

/**
 * Stores a gateway's batch: raw records, the batch id (so a retried batch counts once), and the
 * minute/hour/day roll-ups — all in one transaction.
 */
export async function ingestBatch(store: Store, batch: RecordBatch, now: Date): Promise<{ accepted: number; duplicate: boolean }> {
  try {
    return await store.db.transaction().execute(async (tx) => {
      const seen = await tx.selectFrom('analytics_batches').select('batch_id').where('batch_id', '=', batch.batchId).executeTakeFirst();
      if (seen) return { accepted: 0, duplicate: true };
      await tx.insertInto('analytics_batches').values({ batch_id: batch.batchId, gateway: batch.gateway, received_at: now.toISOString(), records: batch.records.length }).execute();
      for (let i = 0; i < batch.records.length; i += 500) {
        const chunk = batch.records.slice(i, i + 500);
        await tx
          .insertInto('call_records')
          .values(chunk.map((r) => ({ id: newId('call'), at: r.at, organization_id: r.organizationId, api_id: r.apiId, application_id: r.applicationId, status: r.status, data: JSON.stringify(r) })))
          .execute();
      }
      for (const d of deltas(batch.records)) await upsert(tx, store, d);
      return { accepted: batch.records.length, duplicate: false };
    });
  } catch (error) {
    // The same batch arriving twice at once: the second insert of its id loses.
    if (isUniqueViolation(error)) return { accepted: 0, duplicate: true };
    throw error;
  }
}

/** Deletes raw records older than the retention period; roll-ups stay. */
export async function purgeRecords(store: Store, retentionDays: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const result = await store.db.deleteFrom('call_records').where('at', '<', cutoff).executeTakeFirst();
  await store.db.deleteFrom('analytics_batches').where('received_at', '<', cutoff).execute();
  return Number(result.numDeletedRows);
}

const COLUMN: Record<Dimension, 'api_id' | 'operation_id' | 'product_id' | 'application_id' | 'status_class'> = {
  api: 'api_id',
  operation: 'operation_id',
  product: 'product_id',
  application: 'application_id',
  statusClass: 'status_class',
};

export interface AnalyticsQuery {
  from: string;
  to: string;
  granularity?: Granularity | undefined;
  filters: Partial<Record<Dimension, string>>;
}

export interface Figures {
  calls: number;
  errors: number;
  bytesIn: number;
  bytesOut: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

/** The coarsest granularity that still shows the shape of the range. */
function defaultGranularity(from: string, to: string): Granularity {
  const span = Date.parse(to) - Date.parse(from);
  return span <= 6 * 3_600_000 ? 'minute' : span <= 7 * 86_400_000 ? 'hour' : 'day';
}

async function rows(ctx: Ctx, organizationId: string, query: AnalyticsQuery) {
  requireRole(ctx, organizationId, 'developer');
  if (!(Date.parse(query.from) < Date.parse(query.to))) throw new PorticoError('PORTICO_VALIDATION_FAILED', '`from` must be before `to`', { errors: [{ pointer: 'querystring:/from', message: 'must be before to' }] });
  const granularity = query.granularity ?? defaultGranularity(query.from, query.to);
  let q = ctx.store.db
    .selectFrom('analytics_rollups')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('granularity', '=', granularity)
    .where('bucket', '>=', bucketStart(query.from, granularity))
    .where('bucket', '<', query.to);
  for (const [dimension, value] of Object.entries(query.filters)) if (value !== undefined) q = q.where(COLUMN[dimension as Dimension], '=', value);
  if (!hasRole(ctx, organizationId, 'publisher')) {
    // Developers see the figures of their own applications only.
    const own = await ctx.store.db.selectFrom('applications').select('id').where('organization_id', '=', organizationId).where('owner_user_id', '=', ctx.actor.id).execute();
    const ids = own.map((a) => a.id);
    if (query.filters.application !== undefined && !ids.includes(query.filters.application)) throw new PorticoError('PORTICO_NOT_FOUND', `Application "${query.filters.application}" does not exist`);
    if (ids.length === 0) return { granularity, rows: [] };
    q = q.where('application_id', 'in', ids);
  }
  return { granularity, rows: await q.execute() };
}

function summarise(group: { calls: number; errors: number; bytes_in: number; bytes_out: number; latency: string }[]): Figures {
  const sketch = emptySketch();
  const f = { calls: 0, errors: 0, bytesIn: 0, bytesOut: 0 };
  for (const r of group) {
    f.calls += Number(r.calls);
    f.errors += Number(r.errors);
    f.bytesIn += Number(r.bytes_in);
    f.bytesOut += Number(r.bytes_out);
    mergeInto(sketch, JSON.parse(r.latency) as Sketch);
  }
  return { ...f, latencyMs: { p50: quantile(sketch, 0.5), p95: quantile(sketch, 0.95), p99: quantile(sketch, 0.99) } };
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Figures per time bucket over a range. */
export async function timeSeries(ctx: Ctx, organizationId: string, query: AnalyticsQuery) {
  const { granularity, rows: found } = await rows(ctx, organizationId, query);
  const points = [...groupBy(found, (r) => r.bucket).entries()].sort(([a], [b]) => a.localeCompare(b)).map(([bucket, group]) => ({ bucket, ...summarise(group) }));
  return { granularity, points, total: summarise(found) };
}

/** The top `limit` values of a dimension by calls over a range. */
export async function topN(ctx: Ctx, organizationId: string, query: AnalyticsQuery & { by: Dimension; limit: number }) {
  const { granularity, rows: found } = await rows(ctx, organizationId, query);
  const items = [...groupBy(found, (r) => r[COLUMN[query.by]]).entries()]
    .map(([key, group]) => ({ key: key === '' ? null : key, ...summarise(group) }))
    .sort((a, b) => b.calls - a.calls)
    .slice(0, query.limit);
  return { granularity, by: query.by, items };
}
