import type { FastifyReply, FastifyRequest } from 'fastify';
import { PorticoError } from '../core/errors.ts';
import type { Ctx, Principal, Services } from '../services/context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The service context of an authenticated request. */
export function ctxOf(services: Services, request: FastifyRequest): Ctx {
  if (!request.principal) throw new PorticoError('PORTICO_UNAUTHENTICATED');
  return { ...services, actor: request.principal };
}

/** Strong ETag from the row version (RFC 9110 §8.8.3). */
export function etag(version: number): string {
  return `"v${version}"`;
}

/** The version named by If-Match, or null when absent or `*` (RFC 9110 §13.1.1). */
export function ifMatch(request: FastifyRequest): number | null {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return null;
  const match = /^\s*(?:W\/)?"v(\d+)"\s*$/.exec(header);
  if (!match) throw new PorticoError('PORTICO_PRECONDITION_FAILED', `If-Match "${header}" is not an ETag of this resource`);
  return Number(match[1]);
}

export function withEtag<T>(reply: FastifyReply, stored: { entity: T; version: number }): T {
  reply.header('etag', etag(stored.version));
  return stored.entity;
}
