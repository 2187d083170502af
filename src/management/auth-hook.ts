import type { FastifyRequest } from 'fastify';
import { PorticoError } from '../core/errors.ts';
import type { Authenticator } from '../services/auth.ts';

export const SESSION_COOKIE = 'portico_session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null; // malformed percent-encoding: no session
      }
    }
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
    if (!session) return;
    // Cookies ride along on cross-site requests; SameSite=Strict stops most, and a browser's Origin
    // header on a state-changing request must name this host too (OWASP CSRF cheat sheet).
    const origin = request.headers.origin;
    if (!SAFE_METHODS.has(request.method) && origin !== undefined && hostOf(origin) !== request.headers.host) {
      throw new PorticoError('PORTICO_FORBIDDEN', 'Cross-site request refused: the Origin does not match this server');
    }
    request.principal = await auth.fromSession(session);
  };
}
