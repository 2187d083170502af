import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { PorticoError } from '../core/errors.ts';
import type { Authenticator } from '../services/auth.ts';

const TokenRequest = Type.Object(
  {
    grant_type: Type.String({ maxLength: 100 }),
    client_id: Type.Optional(Type.String({ maxLength: 200 })),
    client_secret: Type.Optional(Type.String({ maxLength: 500 })),
    scope: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header) : null;
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return null; // malformed percent-encoding: treated as missing credentials (invalid_client)
  }
}

/** OAuth 2.0 token endpoint, client credentials grant (RFC 6749 §4.4), and the JWKS to verify tokens. */
export function tokenRoutes(app: FastifyInstance, auth: Authenticator): void {
  app.post(
    '/oauth/token',
    {
      schema: {
        operationId: 'issueToken',
        summary: 'Issue an access token (client credentials grant; client auth by HTTP Basic or form fields)',
        tags: ['OAuth'],
        security: [],
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenRequest,
        response: { 200: Type.Object({ access_token: Type.String(), token_type: Type.String(), expires_in: Type.Integer() }) },
      },
    },
    async (req, reply) => {
      const body = req.body as { grant_type: string; client_id?: string; client_secret?: string };
      if (body.grant_type !== 'client_credentials') throw new PorticoError('PORTICO_INVALID_GRANT', `grant_type "${body.grant_type}" is not supported; use client_credentials`, { error: 'unsupported_grant_type' });
      const basic = basicCredentials(req.headers.authorization);
      const id = basic?.id ?? body.client_id;
      const secret = basic?.secret ?? body.client_secret;
      if (!id || !secret) throw new PorticoError('PORTICO_INVALID_CLIENT', 'Client credentials are missing', { error: 'invalid_client' });
      try {
        const token = await auth.issueToken(id, secret);
        reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
        return token;
      } catch (error) {
        if (error instanceof PorticoError) throw new PorticoError(error.code, error.message, { error: 'invalid_client' });
        throw error;
      }
    },
  );
  app.get('/.well-known/jwks.json', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return auth.keys.jwks();
  });
}
