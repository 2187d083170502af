import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Id, Slug } from '../../domain/common.ts';
import { POLICY_TYPES } from '../../policies/registry.ts';
import type { Authenticator } from '../../services/auth.ts';
import { requireRole, type Services } from '../../services/context.ts';
import { policyChain } from '../../services/policy-chain.ts';
import { ctxOf } from '../http.ts';

const tags = ['Policies'];

const PolicyType = Type.Object({
  name: Type.String(),
  description: Type.String({ description: 'One line' }),
  phases: Type.Array(Type.String(), { description: 'Phases the type takes part in: request, response, error' }),
  doc: Type.String({ description: 'Markdown documentation with an example' }),
  schema: Type.Unknown({ description: 'JSON Schema of the config' }),
});

const ChainEntry = Type.Object({
  order: Type.Integer(),
  scope: Type.String(),
  scopeId: Type.Union([Type.String(), Type.Null()]),
  appliesTo: Type.String({ description: 'When it runs: every call, callers on a product or plan, an operation, an application' }),
  policyId: Type.String(),
  type: Type.String(),
  config: Type.Record(Type.String(), Type.Unknown()),
});

/** The policy catalogue, an API's effective chain, and admin trace tokens. */
export function policyToolRoutes(app: FastifyInstance, services: Services, auth: Authenticator): void {
  app.get(
    '/policy-types',
    { schema: { operationId: 'listPolicyTypes', summary: 'Every policy type with its JSON Schema and documentation', tags, response: { 200: Type.Object({ items: Type.Array(PolicyType) }) } } },
    async (req) => {
      ctxOf(services, req);
      return { items: POLICY_TYPES.map((t) => ({ name: t.name, description: t.summary, phases: [...t.phases], doc: t.doc, schema: t.schema })) };
    },
  );
  app.get(
    '/organizations/:orgId/apis/:apiId/policy-chain',
    {
      schema: {
        operationId: 'getPolicyChain',
        summary: "The API's effective policy chain: what runs, in order, from which scope (response and error phases run it in reverse)",
        tags,
        params: Type.Object({ orgId: Slug, apiId: Id }),
        response: { 200: Type.Object({ apiId: Type.String(), items: Type.Array(ChainEntry) }) },
      },
    },
    async (req) => {
      const p = req.params as { orgId: string; apiId: string };
      return policyChain(ctxOf(services, req), p.orgId, p.apiId);
    },
  );
  app.post(
    '/organizations/:orgId/trace-tokens',
    {
      schema: {
        operationId: 'createTraceToken',
        summary: "A short-lived token that makes the gateway return a trace of every policy on calls to this organization's APIs (send it as Portico-Trace-Token)",
        tags,
        params: Type.Object({ orgId: Slug }),
        body: Type.Object({ ttlSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 3600, description: 'Lifetime; default 900' })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ token: Type.String(), header: Type.String(), expiresAt: Type.String() }) },
      },
    },
    async (req, reply) => {
      const orgId = (req.params as { orgId: string }).orgId;
      const ctx = ctxOf(services, req);
      requireRole(ctx, orgId, 'publisher');
      const issued = await auth.issueTraceToken(orgId, (req.body as { ttlSeconds?: number }).ttlSeconds ?? 900);
      reply.code(201).header('cache-control', 'no-store');
      return { token: issued.token, header: 'Portico-Trace-Token', expiresAt: issued.expiresAt };
    },
  );
}
