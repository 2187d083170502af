import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../services/auth.ts';

export const SESSION_COOKIE = 'portico_session';

export function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * Resolves the caller from `Authorization: Bearer` or the console session cookie. Routes that need
 * a principal get 401 from `ctxOf` when there is none; a present but bad credential is a 401 here.
 */
export function authenticate(auth: Authenticator) {
  return async (request: FastifyRequest): Promise<void> => {
    request.principal = null;
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      request.principal = match?.[1] ? await auth.fromBearer(match[1]) : await auth.fromBearer('');
      return;
    }
    const session = readCookie(request, SESSION_COOKIE);
    if (session) request.principal = await auth.fromSession(session);
  };
}
