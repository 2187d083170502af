import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Id, Page, Slug } from '../../domain/common.ts';
import { Contract, ContractCreate, type ContractAction } from '../../domain/contract.ts';
import type { Services } from '../../services/context.ts';
import { contracts } from '../../services/contracts.ts';
import { ctxOf, withEtag } from '../http.ts';

const OrgParams = Type.Object({ orgId: Slug });
const ContractParams = Type.Object({ orgId: Slug, contractId: Id });
type P = { orgId: string; contractId: string };
const tags = ['Contracts'];
const ACTIONS: { action: ContractAction; summary: string }[] = [
  { action: 'approve', summary: 'Approve a pending contract' },
  { action: 'reject', summary: 'Reject a pending contract' },
  { action: 'suspend', summary: 'Suspend an active contract' },
  { action: 'resume', summary: 'Resume a suspended contract' },
  { action: 'cancel', summary: 'Cancel a contract' },
];

/** Contracts: application ↔ product through a locked plan, with their life cycle actions. */
export function contractRoutes(app: FastifyInstance, services: Services): void {
  const base = '/organizations/:orgId/contracts';
  const query = Type.Object(
    { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), cursor: Type.Optional(Type.String({ maxLength: 100 })), applicationId: Type.Optional(Id) },
    { additionalProperties: false },
  );
  app.get(base, { schema: { operationId: 'listContracts', summary: 'List contracts', tags, params: OrgParams, querystring: query, response: { 200: Page(Contract) } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; applicationId?: string };
    return contracts.list(ctxOf(services, req), (req.params as P).orgId, q, { applicationId: q.applicationId });
  });
  app.post(base, { schema: { operationId: 'createContract', summary: 'Subscribe an application to a product through a locked plan', tags, params: OrgParams, body: ContractCreate, response: { 201: Contract } } }, async (req, reply) => {
    const stored = await contracts.create(ctxOf(services, req), (req.params as P).orgId, req.body as ContractCreate);
    reply.code(201).header('location', `${req.url}/${stored.entity.id}`);
    return withEtag(reply, stored);
  });
  app.get(`${base}/:contractId`, { schema: { operationId: 'getContract', summary: 'Read a contract', tags, params: ContractParams, response: { 200: Contract } } }, async (req, reply) => {
    const p = req.params as P;
    return withEtag(reply, await contracts.get(ctxOf(services, req), p.orgId, p.contractId));
  });
  for (const { action, summary } of ACTIONS) {
    app.post(`${base}/:contractId/${action}`, { schema: { operationId: `${action}Contract`, summary, tags, params: ContractParams, response: { 200: Contract } } }, async (req, reply) => {
      const p = req.params as P;
      return withEtag(reply, await contracts.transition(ctxOf(services, req), p.orgId, p.contractId, action));
    });
  }
  app.post(
    `${base}/:contractId/migrate`,
    { schema: { operationId: 'migrateContract', summary: 'Move a contract to another locked version of its plan', tags, params: ContractParams, body: Type.Object({ planId: Id }, { additionalProperties: false }), response: { 200: Contract } } },
    async (req, reply) => {
      const p = req.params as P;
      return withEtag(reply, await contracts.migrate(ctxOf(services, req), p.orgId, p.contractId, (req.body as { planId: string }).planId));
    },
  );
}
