import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Id, Page, PageQuery } from '../../domain/common.ts';
import { User, UserCreate, UserUpdate } from '../../domain/user.ts';
import type { Services } from '../../services/context.ts';
import { users } from '../../services/users.ts';
import { ctxOf, ifMatch, withEtag } from '../http.ts';

const UserParams = Type.Object({ userId: Id });
const tags = ['Users'];

export function userRoutes(app: FastifyInstance, services: Services): void {
  app.get('/users', { schema: { operationId: 'listUsers', summary: 'List users (installation administrators)', tags, querystring: PageQuery, response: { 200: Page(User) } } }, async (req) =>
    users.list(ctxOf(services, req), req.query as { limit?: number; cursor?: string }),
  );
  app.post('/users', { schema: { operationId: 'createUser', summary: 'Create a user', tags, body: UserCreate, response: { 201: User } } }, async (req, reply) => {
    const stored = await users.create(ctxOf(services, req), req.body as UserCreate);
    reply.code(201).header('location', `/management/v1/users/${stored.entity.id}`);
    return withEtag(reply, stored);
  });
  app.get('/users/:userId', { schema: { operationId: 'getUser', summary: 'Read a user', tags, params: UserParams, response: { 200: User } } }, async (req, reply) =>
    withEtag(reply, await users.get(ctxOf(services, req), (req.params as { userId: string }).userId)),
  );
  app.patch('/users/:userId', { schema: { operationId: 'updateUser', summary: 'Change a user (name, password)', tags, params: UserParams, body: UserUpdate, response: { 200: User } } }, async (req, reply) =>
    withEtag(reply, await users.update(ctxOf(services, req), (req.params as { userId: string }).userId, req.body as UserUpdate, ifMatch(req))),
  );
}
