import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Application, ApplicationCreate, ApplicationKeys, ApplicationUpdate, KeySlot } from '../../domain/application.ts';
import { Id, Page, PageQuery, Slug } from '../../domain/common.ts';
import { applications } from '../../services/applications.ts';
import type { Services } from '../../services/context.ts';
import { ctxOf, ifMatch, withEtag } from '../http.ts';

const OrgParams = Type.Object({ orgId: Slug });
const AppParams = Type.Object({ orgId: Slug, applicationId: Id });
type P = { orgId: string; applicationId: string };
const tags = ['Applications'];
const Created = Type.Object({ ...Application.properties, clientSecret: Type.String({ description: 'OAuth client secret, shown once' }) });

/** Applications (a developer's clients) with their API key pair and OAuth client credentials. */
export function applicationRoutes(app: FastifyInstance, services: Services): void {
  const base = '/organizations/:orgId/applications';
  app.get(base, { schema: { operationId: 'listApplications', summary: 'List applications (developers see their own)', tags, params: OrgParams, querystring: PageQuery, response: { 200: Page(Application) } } }, async (req) => {
    return applications.list(ctxOf(services, req), (req.params as P).orgId, req.query as { limit?: number; cursor?: string });
  });
  app.post(base, { schema: { operationId: 'createApplication', summary: 'Create an application with a primary and a secondary key', tags, params: OrgParams, body: ApplicationCreate, response: { 201: Created } } }, async (req, reply) => {
    const created = await applications.create(ctxOf(services, req), (req.params as P).orgId, req.body as ApplicationCreate);
    reply.code(201).header('location', `${req.url}/${created.application.id}`);
    withEtag(reply, { entity: created.application, version: created.version });
    return { ...created.application, clientSecret: created.clientSecret };
  });
  app.get(`${base}/:applicationId`, { schema: { operationId: 'getApplication', summary: 'Read an application', tags, params: AppParams, response: { 200: Application } } }, async (req, reply) => {
    const p = req.params as P;
    return withEtag(reply, await applications.get(ctxOf(services, req), p.orgId, p.applicationId));
  });
  app.patch(`${base}/:applicationId`, { schema: { operationId: 'updateApplication', summary: 'Change an application', tags, params: AppParams, body: ApplicationUpdate, response: { 200: Application } } }, async (req, reply) => {
    const p = req.params as P;
    return withEtag(reply, await applications.update(ctxOf(services, req), p.orgId, p.applicationId, req.body as ApplicationUpdate, ifMatch(req)));
  });
  app.delete(`${base}/:applicationId`, { schema: { operationId: 'deleteApplication', summary: 'Delete an application without open contracts', tags, params: AppParams, response: { 204: Type.Null() } } }, async (req, reply) => {
    const p = req.params as P;
    await applications.delete(ctxOf(services, req), p.orgId, p.applicationId, ifMatch(req));
    return reply.code(204).send();
  });
  app.get(`${base}/:applicationId/keys`, { schema: { operationId: 'revealApplicationKeys', summary: 'Reveal the primary and secondary API keys', tags, params: AppParams, response: { 200: ApplicationKeys } } }, async (req, reply) => {
    const p = req.params as P;
    reply.header('cache-control', 'no-store');
    return applications.revealKeys(ctxOf(services, req), p.orgId, p.applicationId);
  });
  app.post(
    `${base}/:applicationId/keys/:slot/regenerate`,
    { schema: { operationId: 'regenerateApplicationKey', summary: 'Replace one key of the pair; the other keeps working', tags, params: Type.Object({ ...AppParams.properties, slot: KeySlot }), response: { 200: ApplicationKeys } } },
    async (req, reply) => {
      const p = req.params as P & { slot: 'primary' | 'secondary' };
      reply.header('cache-control', 'no-store');
      return applications.regenerateKey(ctxOf(services, req), p.orgId, p.applicationId, p.slot);
    },
  );
  app.post(
    `${base}/:applicationId/client-secret`,
    { schema: { operationId: 'regenerateClientSecret', summary: 'Issue a new OAuth client secret; the old one stops working', tags, params: AppParams, response: { 200: Type.Object({ clientId: Type.String(), clientSecret: Type.String() }) } } },
    async (req, reply) => {
      const p = req.params as P;
      reply.header('cache-control', 'no-store');
      return applications.regenerateSecret(ctxOf(services, req), p.orgId, p.applicationId);
    },
  );
}
