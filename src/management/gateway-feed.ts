import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { PorticoError } from '../core/errors.ts';
import { safeEqual } from '../core/crypto.ts';
import { CallBatch, recordBatch } from '../domain/call-batch.ts';
import { ingestBatch } from '../services/analytics.ts';
import type { SnapshotFeed } from '../snapshot/index.ts';
import type { Store } from '../store/index.ts';

/** Gateways authenticate with the installation's gateway token (compared in constant time). */
function requireGatewayToken(req: FastifyRequest, gatewayToken: string): void {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1] || !safeEqual(match[1], gatewayToken)) throw new PorticoError('PORTICO_UNAUTHENTICATED', 'A valid gateway token is required');
}

/**
 * `GET /gateway/v1/config?since=N&wait=S`: the configuration feed gateways pull (DESIGN.md §1).
 * 200 with a snapshot newer than `since`, or 304 when none appeared within `wait` seconds.
 */
export function gatewayFeedRoutes(app: FastifyInstance, feed: SnapshotFeed, gatewayToken: string): void {
  app.get(
    '/gateway/v1/config',
    {
      schema: {
        hide: true,
        querystring: Type.Object(
          { since: Type.Optional(Type.Integer({ minimum: 0 })), wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, default: 0 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      requireGatewayToken(req, gatewayToken);
      const { since, wait } = req.query as { since?: number; wait: number };
      const abort = new AbortController();
      req.raw.once('close', () => abort.abort());
      const snapshot = await feed.after(since ?? null, wait, abort.signal);
      if (!snapshot) return reply.code(304).send();
      reply.header('cache-control', 'no-store');
      return snapshot;
    },
  );
}

/**
 * `POST /gateway/v1/analytics`: a gateway's batch of calls (columns or records). A batch id seen before is
 * acknowledged without being counted again, so gateways can retry safely.
 */
export function gatewayAnalyticsRoutes(app: FastifyInstance, store: Store, gatewayToken: string): void {
  app.post(
    '/gateway/v1/analytics',
    // The token is checked before the (up to 32 MiB) body is read, parsed and validated.
    { bodyLimit: 32 * 1024 * 1024, schema: { hide: true, body: CallBatch }, onRequest: async (req) => requireGatewayToken(req, gatewayToken) },
    async (req) => ingestBatch(store, recordBatch(req.body as CallBatch), new Date()),
  );
}
