import type { FastifyInstance } from 'fastify';

export const ECHO_PREFIX = '/echo-service';

/**
 * The echo service behind the demo Echo API: answers with the request it received, so the demo
 * works with no other server and no network.
 */
export function echoRoutes(app: FastifyInstance): void {
  app.register(async (scope) => {
    // Take every body as raw text here: the echo shows what arrived, whatever its type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.all(`${ECHO_PREFIX}`, { schema: { hide: true } }, echo);
    scope.all(`${ECHO_PREFIX}/*`, { schema: { hide: true } }, echo);
  });
}

async function echo(req: import('fastify').FastifyRequest) {
  const url = new URL(req.url, 'http://echo');
  return {
    method: req.method,
    path: url.pathname.slice(ECHO_PREFIX.length) || '/',
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body: typeof req.body === 'string' ? req.body : null,
  };
}
