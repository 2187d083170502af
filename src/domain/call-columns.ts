/**
 * The columnar form of a batch of call records, as gateways ship them: one array per field instead
 * of one object per call, the text fields as indexes into one dictionary of the batch's distinct
 * values, times as integer offsets. A batch of ten thousand calls is then about a third of its
 * JSON-records size and is written by the gateway without a key name per field per call.
 * `recordsFromColumns` turns it back into CallRecords on the control plane, refusing an
 * inconsistent batch with a pointer to the bad column.
 */
import { Type, type Static } from 'typebox';
import { PorticoError } from '../core/errors.ts';
import { MAX_BATCH_RECORDS, type CallRecord } from './analytics.ts';

const MAX = MAX_BATCH_RECORDS;
const Ints = (description: string, minimum: number) => Type.Array(Type.Integer({ minimum }), { maxItems: MAX, description });
/** Index into `strings`; -1 stands for null where the field may be null. */
const Refs = (description: string) => Ints(description, -1);

/** Text fields carried as dictionary indexes: whether they may be null, and their longest value. */
export const TEXT_COLUMNS = {
  organizationId: { nullable: false, maxLength: 64 },
  apiId: { nullable: false, maxLength: 64 },
  operationId: { nullable: true, maxLength: 64 },
  productId: { nullable: true, maxLength: 64 },
  planId: { nullable: true, maxLength: 64 },
  applicationId: { nullable: true, maxLength: 64 },
  userId: { nullable: true, maxLength: 64 },
  clientIp: { nullable: false, maxLength: 64 },
  method: { nullable: false, maxLength: 16 },
  errorCode: { nullable: true, maxLength: 64 },
} as const;
type TextColumn = keyof typeof TEXT_COLUMNS;

export const CallColumns = Type.Object(
  {
    count: Type.Integer({ minimum: 0, maximum: MAX, description: 'Calls in the batch: every column has this many entries' }),
    strings: Type.Array(Type.String({ maxLength: 64 }), { maxItems: MAX * 10, description: 'The distinct text values the reference columns point into' }),
    atBase: Type.Integer({ minimum: 0, description: 'Epoch milliseconds the `at` offsets count from' }),
    at: Type.Array(Type.Integer(), { maxItems: MAX, description: 'Arrival of each call: milliseconds after `atBase` (may be negative)' }),
    requestId: Type.Array(Type.String({ maxLength: 100 }), { maxItems: MAX }),
    organizationId: Refs('Organization'),
    apiId: Refs('API'),
    operationId: Refs('Operation, or -1'),
    productId: Refs('Product, or -1'),
    planId: Refs('Plan, or -1'),
    applicationId: Refs('Application, or -1'),
    userId: Refs('User, or -1'),
    clientIp: Refs('Client address'),
    method: Refs('Method'),
    errorCode: Refs('Portico error code, or -1'),
    status: Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { maxItems: MAX }),
    gatewayLatencyUs: Ints('Total time in the gateway, in microseconds', 0),
    backendLatencyUs: Ints('Time to the backend answer head in microseconds, or -1 when the backend gave none', -1),
    bytesIn: Ints('Request bytes', 0),
    bytesOut: Ints('Response bytes', 0),
    cacheHit: Type.Array(Type.Integer({ minimum: 0, maximum: 1 }), { maxItems: MAX }),
  },
  { additionalProperties: false },
);
export type CallColumns = Static<typeof CallColumns>;

const PER_CALL = ['at', 'requestId', ...(Object.keys(TEXT_COLUMNS) as TextColumn[]), 'status', 'gatewayLatencyUs', 'backendLatencyUs', 'bytesIn', 'bytesOut', 'cacheHit'] as const;

function refused(pointer: string, message: string): PorticoError {
  return new PorticoError('PORTICO_VALIDATION_FAILED', `${pointer} ${message}`, { errors: [{ pointer, message }] });
}

/** The batch's calls as records; throws PORTICO_VALIDATION_FAILED when the columns do not fit together. */
export function recordsFromColumns(c: CallColumns): CallRecord[] {
  for (const name of PER_CALL) {
    if (c[name].length !== c.count) throw refused(`/columns/${name}`, `has ${c[name].length} entries, count says ${c.count}`);
  }
  const text = (name: TextColumn, i: number): string | null => {
    const ref = c[name][i]!;
    const { nullable, maxLength } = TEXT_COLUMNS[name];
    if (ref === -1 && nullable) return null;
    const value = c.strings[ref];
    if (value === undefined) throw refused(`/columns/${name}/${i}`, `${ref} is not an index of strings`);
    if (value.length > maxLength) throw refused(`/columns/${name}/${i}`, `points to a value longer than ${maxLength} characters`);
    return value;
  };
  const records: CallRecord[] = new Array(c.count);
  for (let i = 0; i < c.count; i++) {
    const backend = c.backendLatencyUs[i]!;
    const at = new Date(c.atBase + c.at[i]!);
    if (Number.isNaN(at.getTime())) throw refused(`/columns/at/${i}`, 'is not a valid time');
    records[i] = {
      at: at.toISOString(),
      requestId: c.requestId[i]!,
      organizationId: text('organizationId', i)!,
      apiId: text('apiId', i)!,
      operationId: text('operationId', i),
      productId: text('productId', i),
      planId: text('planId', i),
      applicationId: text('applicationId', i),
      userId: text('userId', i),
      clientIp: text('clientIp', i)!,
      method: text('method', i)!,
      status: c.status[i]!,
      gatewayLatencyMs: c.gatewayLatencyUs[i]! / 1000,
      backendLatencyMs: backend === -1 ? null : backend / 1000,
      bytesIn: c.bytesIn[i]!,
      bytesOut: c.bytesOut[i]!,
      cacheHit: c.cacheHit[i] === 1,
      errorCode: text('errorCode', i),
    };
  }
  return records;
}
