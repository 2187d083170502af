import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { PorticoError } from '../../core/errors.ts';
import { SESSION_TTL_SECONDS, type Authenticator } from '../../services/auth.ts';
import type { Services } from '../../services/context.ts';
import { SESSION_COOKIE, readCookie } from '../auth-hook.ts';
import { ctxOf } from '../http.ts';

const Me = Type.Object({
  kind: Type.String(),
  id: Type.String(),
  label: Type.String(),
  isAdmin: Type.Boolean(),
  roles: Type.Record(Type.String(), Type.String()),
});

/** Console sign-in/out and "who am I". */
export function sessionRoutes(app: FastifyInstance, services: Services, auth: Authenticator, secureCookies: boolean): void {
  const tags = ['Session'];
  app.post(
    '/sessions',
    {
      schema: {
        operationId: 'signIn',
        summary: 'Sign in with email and password; sets the console session cookie',
        tags,
        security: [],
        body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ userId: Type.String(), expiresAt: Type.String() }) },
      },
    },
    async (req, reply) => {
      const { email, password } = req.body as { email: string; password: string };
      const session = await auth.signIn(email, password);
      const cookie = `${SESSION_COOKIE}=${session.sessionId}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_SECONDS}${secureCookies ? '; Secure' : ''}`;
      reply.code(201).header('set-cookie', cookie).header('cache-control', 'no-store');
      return { userId: session.userId, expiresAt: session.expiresAt };
    },
  );
  app.delete('/sessions/current', { schema: { operationId: 'signOut', summary: 'Sign out', tags, response: { 204: Type.Null() } } }, async (req, reply) => {
    const session = readCookie(req, SESSION_COOKIE);
    if (!session) throw new PorticoError('PORTICO_UNAUTHENTICATED', 'No session to end');
    await auth.signOut(session);
    return reply.code(204).header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`).send();
  });
  app.get('/me', { schema: { operationId: 'me', summary: 'The caller and their roles', tags, response: { 200: Me } } }, async (req) => ctxOf(services, req).actor);
}
