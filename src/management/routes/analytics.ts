import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Slug, literals } from '../../domain/common.ts';
import { DIMENSIONS, GRANULARITIES, type Dimension, type Granularity } from '../../domain/analytics.ts';
import { timeSeries, topN, type AnalyticsQuery } from '../../services/analytics.ts';
import type { Services } from '../../services/context.ts';
import { ctxOf } from '../http.ts';

const range = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Start of the range (inclusive); default: 24 hours before `to`' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'End of the range (exclusive); default: now' })),
  granularity: Type.Optional(literals(GRANULARITIES, 'Bucket size; default by range: ≤ 6 h minute, ≤ 7 d hour, else day')),
  api: Type.Optional(Type.String({ maxLength: 64, description: 'Only this API' })),
  operation: Type.Optional(Type.String({ maxLength: 64 })),
  product: Type.Optional(Type.String({ maxLength: 64 })),
  application: Type.Optional(Type.String({ maxLength: 64 })),
  statusClass: Type.Optional(Type.String({ pattern: '^[1-5]xx$' })),
};

const FiguresSchema = {
  calls: Type.Integer(),
  errors: Type.Integer({ description: 'Calls answered 4xx or 5xx' }),
  bytesIn: Type.Integer(),
  bytesOut: Type.Integer(),
  latencyMs: Type.Object({ p50: Type.Union([Type.Number(), Type.Null()]), p95: Type.Union([Type.Number(), Type.Null()]), p99: Type.Union([Type.Number(), Type.Null()]) }),
};

function toQuery(q: Record<string, string | undefined>): AnalyticsQuery {
  const filters: Partial<Record<Dimension, string>> = {};
  for (const d of DIMENSIONS) if (q[d] !== undefined) filters[d] = q[d];
  const to = q.to ?? new Date().toISOString();
  const from = q.from ?? new Date(Date.parse(to) - 86_400_000).toISOString();
  return { from, to, granularity: q.granularity as Granularity | undefined, filters };
}

/** Analytics for publishers (the whole organization) and developers (their own applications). */
export function analyticsRoutes(app: FastifyInstance, services: Services): void {
  const tags = ['Analytics'];
  const params = Type.Object({ orgId: Slug });
  app.get(
    '/organizations/:orgId/analytics/timeseries',
    {
      schema: {
        operationId: 'analyticsTimeSeries',
        summary: 'Calls, errors, bytes and latency percentiles per time bucket',
        tags,
        params,
        querystring: Type.Object(range, { additionalProperties: false }),
        response: { 200: Type.Object({ granularity: Type.String(), points: Type.Array(Type.Object({ bucket: Type.String(), ...FiguresSchema })), total: Type.Object(FiguresSchema) }) },
      },
    },
    async (req) => timeSeries(ctxOf(services, req), (req.params as { orgId: string }).orgId, toQuery(req.query as Record<string, string>)),
  );
  app.get(
    '/organizations/:orgId/analytics/top',
    {
      schema: {
        operationId: 'analyticsTop',
        summary: 'The top APIs, operations, products, applications or status classes by calls',
        tags,
        params,
        querystring: Type.Object({ ...range, by: Type.Optional(literals(DIMENSIONS, 'Dimension to rank; default api')), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ granularity: Type.String(), by: Type.String(), items: Type.Array(Type.Object({ key: Type.Union([Type.String(), Type.Null()]), ...FiguresSchema })) }) },
      },
    },
    async (req) => {
      const q = req.query as Record<string, string> & { limit: number };
      return topN(ctxOf(services, req), (req.params as { orgId: string }).orgId, { ...toQuery(q), by: (q.by ?? 'api') as Dimension, limit: q.limit ?? 10 });
    },
  );
}
