import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AuditEvent } from '../../domain/audit.ts';
import { Id, Page, PageQuery, Role, Slug } from '../../domain/common.ts';
import { Organization, OrganizationCreate, OrganizationUpdate } from '../../domain/organization.ts';
import { ServiceKey, ServiceKeyCreate, ServiceKeyCredentials } from '../../domain/service-key.ts';
import { Membership } from '../../domain/user.ts';
import { listAudit } from '../../services/audit-log.ts';
import type { Services } from '../../services/context.ts';
import { listGroupMembers, setGroupMember } from '../../services/groups.ts';
import { organizations } from '../../services/organizations.ts';
import { serviceKeys } from '../../services/service-keys.ts';
import { ctxOf, ifMatch, withEtag } from '../http.ts';

const OrgParams = Type.Object({ orgId: Slug });
const MemberParams = Type.Object({ orgId: Slug, userId: Id });
type P = { orgId: string; userId: string; keyId: string; groupId: string };

export interface Urls {
  url: string;
  tokenUrl: string;
}

/** Organizations, their members, their service keys and their audit log. */
export function organizationRoutes(app: FastifyInstance, services: Services, urls: Urls): void {
  const tags = ['Organizations'];
  app.get('/organizations', { schema: { operationId: 'listOrganizations', summary: 'List the organizations you belong to', tags, querystring: PageQuery, response: { 200: Page(Organization) } } }, async (req) =>
    organizations.list(ctxOf(services, req), req.query as { limit?: number; cursor?: string }),
  );
  app.post('/organizations', { schema: { operationId: 'createOrganization', summary: 'Create an organization (you become its owner)', tags, body: OrganizationCreate, response: { 201: Organization } } }, async (req, reply) => {
    const stored = await organizations.create(ctxOf(services, req), req.body as OrganizationCreate);
    reply.code(201).header('location', `/management/v1/organizations/${stored.entity.id}`);
    return withEtag(reply, stored);
  });
  app.get('/organizations/:orgId', { schema: { operationId: 'getOrganization', summary: 'Read an organization', tags, params: OrgParams, response: { 200: Organization } } }, async (req, reply) =>
    withEtag(reply, await organizations.get(ctxOf(services, req), (req.params as P).orgId)),
  );
  app.patch('/organizations/:orgId', { schema: { operationId: 'updateOrganization', summary: 'Change an organization', tags, params: OrgParams, body: OrganizationUpdate, response: { 200: Organization } } }, async (req, reply) =>
    withEtag(reply, await organizations.update(ctxOf(services, req), (req.params as P).orgId, req.body as OrganizationUpdate, ifMatch(req))),
  );
  app.delete('/organizations/:orgId', { schema: { operationId: 'deleteOrganization', summary: 'Delete an empty organization', tags, params: OrgParams, response: { 204: Type.Null() } } }, async (req, reply) => {
    await organizations.delete(ctxOf(services, req), (req.params as P).orgId);
    return reply.code(204).send();
  });

  const mtags = ['Members'];
  app.get('/organizations/:orgId/members', { schema: { operationId: 'listMembers', summary: 'List members and their roles', tags: mtags, params: OrgParams, response: { 200: Type.Object({ items: Type.Array(Membership) }) } } }, async (req) => ({
    items: await organizations.members(ctxOf(services, req), (req.params as P).orgId),
  }));
  app.put(
    '/organizations/:orgId/members/:userId',
    { schema: { operationId: 'setMember', summary: 'Add a member or change their role', tags: mtags, params: MemberParams, body: Type.Object({ role: Role }, { additionalProperties: false }), response: { 200: Membership } } },
    async (req) => {
      const p = req.params as P;
      return organizations.setMember(ctxOf(services, req), p.orgId, p.userId, (req.body as { role: 'owner' }).role);
    },
  );
  app.delete('/organizations/:orgId/members/:userId', { schema: { operationId: 'removeMember', summary: 'Remove a member', tags: mtags, params: MemberParams, response: { 204: Type.Null() } } }, async (req, reply) => {
    const p = req.params as P;
    await organizations.removeMember(ctxOf(services, req), p.orgId, p.userId);
    return reply.code(204).send();
  });

  const gparams = Type.Object({ orgId: Slug, groupId: Id, userId: Id });
  app.get('/organizations/:orgId/groups/:groupId/members', { schema: { operationId: 'listGroupMembers', summary: 'List the users in a group', tags: ['Groups'], params: Type.Object({ orgId: Slug, groupId: Id }), response: { 200: Type.Object({ userIds: Type.Array(Type.String()) }) } } }, async (req) => {
    const p = req.params as P;
    return { userIds: await listGroupMembers(ctxOf(services, req), p.orgId, p.groupId) };
  });
  app.put('/organizations/:orgId/groups/:groupId/members/:userId', { schema: { operationId: 'addGroupMember', summary: 'Add a member to a group', tags: ['Groups'], params: gparams, response: { 204: Type.Null() } } }, async (req, reply) => {
    const p = req.params as P;
    await setGroupMember(ctxOf(services, req), p.orgId, p.groupId, p.userId, true);
    return reply.code(204).send();
  });
  app.delete('/organizations/:orgId/groups/:groupId/members/:userId', { schema: { operationId: 'removeGroupMember', summary: 'Remove a member from a group', tags: ['Groups'], params: gparams, response: { 204: Type.Null() } } }, async (req, reply) => {
    const p = req.params as P;
    await setGroupMember(ctxOf(services, req), p.orgId, p.groupId, p.userId, false);
    return reply.code(204).send();
  });

  serviceKeyRoutes(app, services, urls, '/organizations/:orgId/service-keys', 'listOrganizationServiceKeys', (req) => (req.params as P).orgId);
  serviceKeyRoutes(app, services, urls, '/service-keys', 'listServiceKeys', () => null);

  app.get('/organizations/:orgId/audit', { schema: { operationId: 'listAudit', summary: 'Audit log of every write, newest first', tags: ['Audit'], params: OrgParams, querystring: PageQuery, response: { 200: Page(AuditEvent) } } }, async (req) =>
    listAudit(ctxOf(services, req), (req.params as P).orgId, req.query as { limit?: number; cursor?: string }),
  );
}

function serviceKeyRoutes(app: FastifyInstance, services: Services, urls: Urls, base: string, listId: string, org: (req: { params: unknown }) => string | null): void {
  const tags = ['Service keys'];
  const scoped = base.startsWith('/organizations');
  const params = scoped ? OrgParams : undefined;
  const prefix = scoped ? 'Organization' : '';
  app.get(base, { schema: { operationId: listId, summary: 'List service keys', tags, ...(params ? { params } : {}), response: { 200: Type.Object({ items: Type.Array(ServiceKey) }) } } }, async (req) => ({
    items: await serviceKeys.list(ctxOf(services, req), org(req)),
  }));
  app.post(base, { schema: { operationId: `create${prefix}ServiceKey`, summary: 'Create a service key (the secret is shown once)', tags, ...(params ? { params } : {}), body: ServiceKeyCreate, response: { 201: ServiceKeyCredentials } } }, async (req, reply) => {
    reply.code(201).header('cache-control', 'no-store');
    return serviceKeys.create(ctxOf(services, req), org(req), req.body as { name: string }, urls);
  });
  const keyParams = scoped ? Type.Object({ orgId: Slug, keyId: Id }) : Type.Object({ keyId: Id });
  app.delete(`${base}/:keyId`, { schema: { operationId: `revoke${prefix}ServiceKey`, summary: 'Revoke a service key', tags, params: keyParams, response: { 204: Type.Null() } } }, async (req, reply) => {
    await serviceKeys.revoke(ctxOf(services, req), org(req), (req.params as P).keyId);
    return reply.code(204).send();
  });
}
