import { Type, type Static } from 'typebox';

const Ref = Type.Union([Type.String({ maxLength: 64 }), Type.Null()]);

/** One call through a gateway (issue: analytics). Shipped by gateways in batches. */
export const CallRecord = Type.Object(
  {
    at: Type.String({ format: 'date-time', description: 'When the call arrived' }),
    requestId: Type.String({ maxLength: 100 }),
    organizationId: Type.String({ maxLength: 64 }),
    apiId: Type.String({ maxLength: 64 }),
    operationId: Ref,
    productId: Ref,
    planId: Ref,
    applicationId: Ref,
    userId: Ref,
    clientIp: Type.String({ maxLength: 64 }),
    method: Type.String({ maxLength: 16 }),
    status: Type.Integer({ minimum: 100, maximum: 599 }),
    gatewayLatencyMs: Type.Number({ minimum: 0, description: 'Total time in the gateway, backend included' }),
    backendLatencyMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    bytesIn: Type.Integer({ minimum: 0 }),
    bytesOut: Type.Integer({ minimum: 0 }),
    cacheHit: Type.Boolean(),
    errorCode: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  },
  { additionalProperties: false },
);

/** The most records one batch may carry; gateways split what they hold into batches of this size. */
export const MAX_BATCH_RECORDS = 10_000;

export type CallRecord = Static<typeof CallRecord>;

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const DIMENSIONS = ['api', 'operation', 'product', 'application', 'statusClass'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Start of the minute/hour/day (UTC) that holds `iso`. */
export function bucketStart(iso: string, granularity: Granularity): string {
  const d = new Date(iso);
  if (granularity === 'day') d.setUTCHours(0, 0, 0, 0);
  else if (granularity === 'hour') d.setUTCMinutes(0, 0, 0);
  else d.setUTCSeconds(0, 0);
  return d.toISOString();
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
