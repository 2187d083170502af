import type { CallRecord } from '../../src/domain/analytics.ts';

/** A successful GET call record of organization `organizationId`, with `over` applied. */
export function callRecord(organizationId: string, over: Partial<CallRecord> = {}): CallRecord {
  return {
    at: '2026-11-20T10:00:00.000Z',
    requestId: crypto.randomUUID(),
    organizationId,
    apiId: 'api_a',
    operationId: null,
    productId: null,
    planId: null,
    applicationId: null,
    userId: null,
    clientIp: '127.0.0.1',
    method: 'GET',
    status: 200,
    gatewayLatencyMs: 10,
    backendLatencyMs: 8,
    bytesIn: 0,
    bytesOut: 100,
    cacheHit: false,
    errorCode: null,
    ...over,
  };
}
