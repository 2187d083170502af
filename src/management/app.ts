import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../core/logger.ts';
import { problem, PROBLEM_CONTENT_TYPE } from '../core/errors.ts';
import type { Authenticator } from '../services/auth.ts';
import type { Services } from '../services/context.ts';
import type { UsageSource } from '../services/usage.ts';
import { authenticate } from './auth-hook.ts';
import { echoRoutes } from './echo.ts';
import { metricsRoutes } from './metrics.ts';
import { OpenApiCollector } from './openapi.ts';
import { errorHandler, sendProblem } from './problems.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { applicationRoutes } from './routes/applications.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { configRoutes } from './routes/config.ts';
import { contractRoutes } from './routes/contracts.ts';
import { importRoutes } from './routes/imports.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { planRoutes } from './routes/plans.ts';
import { sessionRoutes } from './routes/session.ts';
import { policyToolRoutes } from './routes/policy-tools.ts';
import { usageRoutes } from './routes/usage.ts';
import { userRoutes } from './routes/users.ts';
import { tokenRoutes } from './token.ts';
import { validatorCompiler } from './validation.ts';

export interface ControlPlaneOptions {
  services: Services;
  auth: Authenticator;
  publicUrl: string;
  logger: Logger;
  /** Public URL of the gateway, the server of exported OpenAPI documents (default http://127.0.0.1:8000). */
  gatewayUrl?: string;
  /** The gateways' counters, for application usage (the in-process gateway's, or Redis); none: usage answers 503. */
  usage?: UsageSource;
  /** Extra routes (the gateway config feed) registered by the caller. */
  extend?: (app: FastifyInstance) => void;
}

export const MANAGEMENT_PREFIX = '/management/v1';

/** The control plane's HTTP server: management API, token endpoint, JWKS, health, echo service. */
export function createControlPlane(options: ControlPlaneOptions): FastifyInstance {
  const { services, auth, publicUrl } = options;
  const app: FastifyInstance = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, bodyLimit: 1024 * 1024, requestIdHeader: 'x-request-id', genReqId: () => crypto.randomUUID() });
  const openapi = new OpenApiCollector();
  app.addHook('onRoute', openapi.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => sendProblem(reply, 'PORTICO_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`));
  // An empty JSON body is "no body" (curl -X POST -H 'Content-Type: application/json' on action
  // routes); routes that need one still refuse it with 422. Prototype poisoning stays an error.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => (body === '' ? done(null, undefined) : json(req, String(body), done)));
  app.removeContentTypeParser('text/plain'); // JSON and forms only: text/plain is 415, not a string body
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await services.store.db.selectFrom('config_revision').select('revision').executeTakeFirstOrThrow();
      return { status: 'ready' };
    } catch {
      return reply.code(503).type(PROBLEM_CONTENT_TYPE).send(problem('PORTICO_NOT_READY', 'The store is unreachable'));
    }
  });
  metricsRoutes(app, services.store);
  tokenRoutes(app, auth);
  echoRoutes(app);
  options.extend?.(app);

  const urls = { url: `${publicUrl}${MANAGEMENT_PREFIX}`, tokenUrl: `${publicUrl}/oauth/token` };
  app.register(
    async (api) => {
      api.decorateRequest('principal', null);
      // The management API takes JSON only: form bodies (which browsers send cross-site without a
      // preflight) are for /oauth/token; here they would reach routes that have no body schema.
      api.removeContentTypeParser('application/x-www-form-urlencoded');
      api.addHook('onRequest', authenticate(auth));
      // Paths are collected with their prefix (/management/v1/..., /oauth/token), so the server is the bare public URL.
      api.get('/openapi.json', { schema: { hide: true } }, async () => openapi.document(publicUrl));
      sessionRoutes(api, services, auth, publicUrl.startsWith('https:'));
      userRoutes(api, services);
      organizationRoutes(api, services, urls);
      catalogRoutes(api, services);
      policyToolRoutes(api, services, auth);
      importRoutes(api, services, options.gatewayUrl ?? 'http://127.0.0.1:8000');
      configRoutes(api, services);
      planRoutes(api, services);
      applicationRoutes(api, services);
      contractRoutes(api, services);
      analyticsRoutes(api, services);
      usageRoutes(api, services, options.usage ?? null);
    },
    { prefix: MANAGEMENT_PREFIX },
  );
  return app;
}
