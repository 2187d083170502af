import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Id, Page, PageQuery, Slug } from '../../domain/common.ts';
import { Plan, PlanCreate, PlanUpdate } from '../../domain/plan.ts';
import type { Services } from '../../services/context.ts';
import { getPlanOfProduct, lockPlan, newPlanVersion, plans } from '../../services/plans.ts';
import { products } from '../../services/products.ts';
import { ctxOf, ifMatch, withEtag } from '../http.ts';

const ProductParams = Type.Object({ orgId: Slug, productId: Id });
const PlanParams = Type.Object({ orgId: Slug, productId: Id, planId: Id });
type P = { orgId: string; productId: string; planId: string };
const tags = ['Plans'];

/** Plans of a product: draft → locked; changes after locking are new versions. */
export function planRoutes(app: FastifyInstance, services: Services): void {
  const base = '/organizations/:orgId/products/:productId/plans';
  app.get(base, { schema: { operationId: 'listPlans', summary: 'List the plans of a product', tags, params: ProductParams, querystring: PageQuery, response: { 200: Page(Plan) } } }, async (req) => {
    const p = req.params as P;
    const ctx = ctxOf(services, req);
    await products.get(ctx, p.orgId, p.productId);
    return plans.list(ctx, p.orgId, req.query as { limit?: number; cursor?: string }, { product_id: p.productId });
  });
  app.post(base, { schema: { operationId: 'createPlan', summary: 'Create a draft plan', tags, params: ProductParams, body: PlanCreate, response: { 201: Plan } } }, async (req, reply) => {
    const p = req.params as P;
    const stored = await plans.create(ctxOf(services, req), p.orgId, { ...(req.body as PlanCreate), productId: p.productId });
    reply.code(201).header('location', `${req.url}/${stored.entity.id}`);
    return withEtag(reply, stored);
  });
  app.get(`${base}/:planId`, { schema: { operationId: 'getPlan', summary: 'Read a plan', tags, params: PlanParams, response: { 200: Plan } } }, async (req, reply) => {
    const p = req.params as P;
    return withEtag(reply, await getPlanOfProduct(ctxOf(services, req), p.orgId, p.productId, p.planId));
  });
  app.patch(`${base}/:planId`, { schema: { operationId: 'updatePlan', summary: 'Change a draft plan (409 once locked)', tags, params: PlanParams, body: PlanUpdate, response: { 200: Plan } } }, async (req, reply) => {
    const p = req.params as P;
    const ctx = ctxOf(services, req);
    await getPlanOfProduct(ctx, p.orgId, p.productId, p.planId);
    return withEtag(reply, await plans.update(ctx, p.orgId, p.planId, req.body as PlanUpdate, ifMatch(req)));
  });
  app.delete(`${base}/:planId`, { schema: { operationId: 'deletePlan', summary: 'Delete a plan no contract uses', tags, params: PlanParams, response: { 204: Type.Null() } } }, async (req, reply) => {
    const p = req.params as P;
    const ctx = ctxOf(services, req);
    await getPlanOfProduct(ctx, p.orgId, p.productId, p.planId);
    await plans.delete(ctx, p.orgId, p.planId, ifMatch(req));
    return reply.code(204).send();
  });
  app.post(`${base}/:planId/lock`, { schema: { operationId: 'lockPlan', summary: 'Lock a plan: it becomes immutable and usable by contracts', tags, params: PlanParams, response: { 200: Plan } } }, async (req, reply) => {
    const p = req.params as P;
    const ctx = ctxOf(services, req);
    await getPlanOfProduct(ctx, p.orgId, p.productId, p.planId);
    return withEtag(reply, await lockPlan(ctx, p.orgId, p.planId));
  });
  app.post(`${base}/:planId/versions`, { schema: { operationId: 'newPlanVersion', summary: 'Create the next draft version of a plan, copying its policies', tags, params: PlanParams, response: { 201: Plan } } }, async (req, reply) => {
    const p = req.params as P;
    const ctx = ctxOf(services, req);
    await getPlanOfProduct(ctx, p.orgId, p.productId, p.planId);
    const stored = await newPlanVersion(ctx, p.orgId, p.planId);
    reply.code(201).header('location', `/management/v1/organizations/${p.orgId}/products/${p.productId}/plans/${stored.entity.id}`);
    return withEtag(reply, stored);
  });
}
