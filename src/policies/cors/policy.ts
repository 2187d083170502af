import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, PolicyConfigError, type Exchange, type Headers } from '../sdk.ts';
import { HEADER_NAME } from '../values.ts';
import { compileOrigins } from './origins.ts';

const Names = (description: string) => Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200, pattern: HEADER_NAME }), { maxItems: 200, description }));

const schema = Type.Object(
  {
    origins: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
      minItems: 1,
      maxItems: 1000,
      description: 'Allowed origins: exact (`https://app.example.com`), subdomain patterns (`https://*.example.com`), or `*` alone for any',
    }),
    methods: Names('Methods a preflight may ask for (default GET, HEAD, POST, PUT, PATCH, DELETE); `*` allows any'),
    allowHeaders: Names('Request headers a preflight may ask for; `*` (the default) allows the ones asked for'),
    exposeHeaders: Names('Response headers the browser lets scripts read, beyond the CORS-safelisted ones'),
    credentials: Type.Optional(Type.Boolean({ description: 'Allow cookies and HTTP authentication (Access-Control-Allow-Credentials); not with origin `*`' })),
    maxAgeSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400, description: 'How long a browser may cache a preflight answer' })),
    disallowedOrigin: Type.Optional(
      Type.Enum(['forward', 'refuse'] as const, {
        description: 'A non-preflight call from an origin not allowed: forward it without CORS headers (default; the browser withholds the answer) or refuse it with 403',
      }),
    ),
  },
  { additionalProperties: false },
);

const DEFAULT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Fetch standard §3.2.2: a preflight is an OPTIONS with Origin and Access-Control-Request-Method. */
function isPreflight(x: Exchange): boolean {
  return x.method === 'OPTIONS' && x.requestHeaders.has('access-control-request-method') && x.requestHeaders.has('origin');
}

/** Adds `value` to the Vary list unless it is there (the backend may have sent its own). */
function vary(h: Headers, value: string): void {
  const current = h.get('vary');
  if (current === undefined) return h.set('vary', value);
  const have = current.toLowerCase().split(',').map((v) => v.trim());
  if (!have.includes('*') && !have.includes(value.toLowerCase())) h.set('vary', `${current}, ${value}`);
}

/** Azure cors, Kong cors, Apiman CORS policy. */
export const cors = definePolicy<Static<typeof schema>>({
  name: 'cors',
  summary: 'Answers CORS preflights and adds Access-Control-* headers to answers and errors.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response', 'error'],
  schema,
  compile(config) {
    const origins = compileOrigins(config.origins);
    const credentials = config.credentials === true;
    if (origins.any && credentials) throw new PolicyConfigError('/credentials', 'credentials cannot be allowed for origin "*": list the origins');
    const methods = (config.methods ?? DEFAULT_METHODS).map((m) => m.toUpperCase());
    const anyMethod = methods.includes('*');
    const methodList = methods.join(', ');
    const headers = config.allowHeaders ?? ['*'];
    const anyHeader = headers.includes('*');
    const headerSet = new Set(headers.map((h) => h.toLowerCase()));
    const expose = config.exposeHeaders === undefined || config.exposeHeaders.length === 0 ? null : config.exposeHeaders.join(', ');
    const maxAge = config.maxAgeSeconds === undefined ? null : String(config.maxAgeSeconds);
    const refuse = config.disallowedOrigin === 'refuse';
    // With `*` the answer is the same for every origin; otherwise it names the origin, and a
    // shared cache must keep one copy per origin (Fetch standard §3.2.5, CORS and caching).
    const allowOrigin = (origin: string) => (origins.any ? '*' : origin);

    const preflight = (x: Exchange, origin: string) => {
      const method = x.requestHeaders.get('access-control-request-method')!.trim();
      if (!anyMethod && !methods.includes(method.toUpperCase())) return x.refuse('PORTICO_CORS_REJECTED', `Method ${method} is not allowed from ${origin}`);
      const asked = x.requestHeaders.get('access-control-request-headers');
      const askedList = asked === undefined ? [] : asked.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
      const refused = anyHeader ? undefined : askedList.find((h) => !headerSet.has(h));
      if (refused !== undefined) return x.refuse('PORTICO_CORS_REJECTED', `Header ${refused} is not allowed from ${origin}`);
      const out: Record<string, string> = {
        'access-control-allow-origin': allowOrigin(origin),
        'access-control-allow-methods': anyMethod ? method : methodList,
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      };
      // A listed `*` is sent as the names asked for: browsers read `*` literally with credentials.
      if (askedList.length > 0) out['access-control-allow-headers'] = anyHeader ? askedList.join(', ') : headers.join(', ');
      if (credentials) out['access-control-allow-credentials'] = 'true';
      if (maxAge !== null) out['access-control-max-age'] = maxAge;
      x.respond(204, out, '');
    };

    const decorate = (x: Exchange) => {
      if (isPreflight(x) && x.outcome === 'answered') return; // the preflight answer is complete
      const h = x.responseHeaders;
      if (!origins.any) vary(h, 'Origin');
      const origin = x.requestHeaders.get('origin');
      if (origin === undefined || !origins.allows(origin)) return;
      h.set('access-control-allow-origin', allowOrigin(origin));
      if (credentials) h.set('access-control-allow-credentials', 'true');
      if (expose !== null) h.set('access-control-expose-headers', expose);
    };

    return {
      beforeAccess: true,
      request(x) {
        const origin = x.requestHeaders.get('origin');
        if (origin === undefined) return;
        const allowed = origins.allows(origin);
        if (isPreflight(x)) {
          if (!allowed) return x.refuse('PORTICO_CORS_REJECTED', `Origin ${origin} is not allowed`);
          return preflight(x, origin);
        }
        if (!allowed && refuse) x.refuse('PORTICO_CORS_REJECTED', `Origin ${origin} is not allowed`);
      },
      response: decorate,
      error: decorate,
    };
  },
});
