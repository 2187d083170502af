/**
 * What a gateway sends to `POST /gateway/v1/analytics`: a batch of calls with an id (a batch sent
 * twice counts once), either as columns (what Portico gateways send, call-columns.ts) or as an
 * array of CallRecord objects (simple to write by hand or from another tool).
 */
import { Type, type Static } from 'typebox';
import { CallRecord, MAX_BATCH_RECORDS } from './analytics.ts';
import { CallColumns, recordsFromColumns } from './call-columns.ts';

const BatchId = Type.String({ minLength: 8, maxLength: 100, description: 'Unique per batch: a batch sent twice counts once' });
const Gateway = Type.String({ maxLength: 200, description: 'Sending node' });

export const CallBatch = Type.Union([
  Type.Object({ batchId: BatchId, gateway: Gateway, columns: CallColumns }, { additionalProperties: false }),
  Type.Object({ batchId: BatchId, gateway: Gateway, records: Type.Array(CallRecord, { maxItems: MAX_BATCH_RECORDS }) }, { additionalProperties: false }),
]);
export type CallBatch = Static<typeof CallBatch>;

/** A batch whose calls are records, whichever form it came in. */
export interface RecordBatch {
  batchId: string;
  gateway: string;
  records: CallRecord[];
}

export function recordBatch(batch: CallBatch): RecordBatch {
  if ('records' in batch) return batch;
  return { batchId: batch.batchId, gateway: batch.gateway, records: recordsFromColumns(batch.columns) };
}
