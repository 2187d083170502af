import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { Id, Page, PageQuery, Slug } from '../../domain/common.ts';
import type { Services } from '../../services/context.ts';
import type { OrgEntity, OrgResource } from '../../services/resource.ts';
import { ctxOf, ifMatch, withEtag } from '../http.ts';

export const OrgParams = Type.Object({ orgId: Slug });
export const idParams = (name: string) => Type.Object({ orgId: Slug, [name]: Id });

export interface CrudSpec<E extends OrgEntity, C, U> {
  /** Collection path below /organizations/:orgId, e.g. `backends`. */
  collection: string;
  param: string;
  tag: string;
  resource: OrgResource<E, C, U>;
  entity: TSchema;
  create: TSchema;
  update: TSchema;
  singular: string;
  /** Human noun for summaries: 'API', 'named value'. */
  noun: string;
}

/** Registers list, create, read, update (PATCH with If-Match) and delete for an org-scoped resource. */
export function crudRoutes<E extends OrgEntity, C, U>(app: FastifyInstance, services: Services, spec: CrudSpec<E, C, U>): void {
  const base = `/organizations/:orgId/${spec.collection}`;
  const item = `${base}/:${spec.param}`;
  const params = idParams(spec.param);
  const op = (verb: string) => `${verb}${spec.singular}`;
  const one = `${/^[aeiouAEIOU]/.test(spec.noun) ? 'an' : 'a'} ${spec.noun}`;
  app.get(base, { schema: { operationId: `list${spec.singular}s`, summary: `List ${spec.noun === 'policy' ? 'policies' : `${spec.noun}s`}`, tags: [spec.tag], params: OrgParams, querystring: PageQuery, response: { 200: Page(spec.entity) } } }, async (req) => {
    const { orgId } = req.params as { orgId: string };
    return spec.resource.list(ctxOf(services, req), orgId, req.query as { limit?: number; cursor?: string });
  });
  app.post(base, { schema: { operationId: op('create'), summary: `Create ${one}`, tags: [spec.tag], params: OrgParams, body: spec.create, response: { 201: spec.entity } } }, async (req, reply) => {
    const { orgId } = req.params as { orgId: string };
    const stored = await spec.resource.create(ctxOf(services, req), orgId, req.body as C);
    reply.code(201).header('location', `${req.url}/${stored.entity.id}`);
    return withEtag(reply, stored);
  });
  app.get(item, { schema: { operationId: op('get'), summary: `Read ${one}`, tags: [spec.tag], params, response: { 200: spec.entity } } }, async (req, reply) => {
    const p = req.params as Record<string, string>;
    return withEtag(reply, await spec.resource.get(ctxOf(services, req), p.orgId!, p[spec.param]!));
  });
  app.patch(item, { schema: { operationId: op('update'), summary: `Change ${one}`, tags: [spec.tag], params, body: spec.update, response: { 200: spec.entity } } }, async (req, reply) => {
    const p = req.params as Record<string, string>;
    return withEtag(reply, await spec.resource.update(ctxOf(services, req), p.orgId!, p[spec.param]!, req.body as U, ifMatch(req)));
  });
  app.delete(item, { schema: { operationId: op('delete'), summary: `Delete ${one}`, tags: [spec.tag], params, response: { 204: Type.Null() } } }, async (req, reply) => {
    const p = req.params as Record<string, string>;
    await spec.resource.delete(ctxOf(services, req), p.orgId!, p[spec.param]!, ifMatch(req));
    return reply.code(204).send();
  });
}
