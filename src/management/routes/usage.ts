import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Id, Slug } from '../../domain/common.ts';
import type { Services } from '../../services/context.ts';
import { usage, type UsageSource } from '../../services/usage.ts';
import { ctxOf } from '../http.ts';

const AppParams = Type.Object({ orgId: Slug, applicationId: Id });
type P = { orgId: string; applicationId: string };
const tags = ['Applications'];

const LimitUsage = Type.Object({
  policyId: Id,
  type: Type.String({ description: 'rate-limit, quota, spike-arrest or transfer-quota' }),
  scope: Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }, { description: 'Where the policy is attached' }),
  contractId: Type.Union([Id, Type.Null()], { description: 'The contract counted; null for a limit counted per application' }),
  limit: Type.Number({ description: 'Units allowed per window or period (bytes for a transfer quota)' }),
  used: Type.Number({ description: 'Units counted so far (may exceed the limit for a transfer quota)' }),
  remaining: Type.Number(),
  resetSeconds: Type.Integer({ description: 'Seconds until the window or period resets' }),
});
const Usage = Type.Object({
  coverage: Type.Enum(['gateway', 'shared'] as const, { description: '`shared`: read from Redis, every gateway\'s calls; `gateway`: the counts of the gateway running in this process only' }),
  limits: Type.Array(LimitUsage),
});
const ResetBody = Type.Object({ contractId: Type.Optional(Id) }, { additionalProperties: false, description: '`{}`: every contract of the application; `{ contractId }`: that one' });

/** Usage of an application against the limits of its contracts, and the administrator's reset. */
export function usageRoutes(app: FastifyInstance, services: Services, source: UsageSource | null): void {
  const base = '/organizations/:orgId/applications/:applicationId/usage';
  app.get(base, { schema: { operationId: 'getApplicationUsage', summary: 'Current usage against each rate limit and quota of the application\'s contracts', tags, params: AppParams, response: { 200: Usage } } }, async (req, reply) => {
    const p = req.params as P;
    reply.header('cache-control', 'no-store');
    return usage.of(ctxOf(services, req), source, p.orgId, p.applicationId);
  });
  app.post(
    `${base}/reset`,
    {
      schema: {
        operationId: 'resetApplicationUsage',
        summary: 'Restart the rate-limit and quota counts of the application (or of one contract); administrators only',
        tags,
        params: AppParams,
        body: ResetBody,
        response: { 200: Type.Object({ removed: Type.Integer({ description: 'Counters deleted' }) }) },
      },
    },
    async (req) => {
      const p = req.params as P;
      const body = req.body as { contractId?: string } | undefined;
      return usage.reset(ctxOf(services, req), source, p.orgId, p.applicationId, body?.contractId);
    },
  );
}
