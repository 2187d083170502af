import type { RouteOptions } from 'fastify';

interface Collected {
  method: string;
  url: string;
  schema: Record<string, any>;
}

const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable error code, e.g. PORTICO_NOT_FOUND' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { pointer: { type: 'string' }, message: { type: 'string' } } } },
  },
};

/**
 * Builds the OpenAPI 3.1 document from the routes' own schemas (STYLE.md habit 10): the document
 * cannot drift from what the server validates.
 */
export class OpenApiCollector {
  readonly #routes: Collected[] = [];

  onRoute = (route: RouteOptions): void => {
    const schema = route.schema as Record<string, any> | undefined;
    if (!schema || schema.hide) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      this.#routes.push({ method: method.toLowerCase(), url: route.url, schema });
    }
  };

  document(serverUrl: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.#routes) {
      const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const parameters = [
        ...Object.entries(r.schema.params?.properties ?? {}).map(([name, s]) => ({ name, in: 'path', required: true, schema: s })),
        ...Object.entries(r.schema.querystring?.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: (r.schema.querystring.required ?? []).includes(name), schema: s })),
        ...(['patch', 'put', 'delete'].includes(r.method) && r.schema.params ? [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'ETag from a previous read' }] : []),
      ];
      const responses: Record<string, unknown> = {};
      for (const [status, s] of Object.entries(r.schema.response ?? {})) {
        responses[status] = status === '204' ? { description: 'No content' } : { description: 'Success', content: { 'application/json': { schema: s } } };
      }
      responses.default = { description: 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
      const operation: Record<string, unknown> = {
        operationId: r.schema.operationId,
        summary: r.schema.summary,
        tags: r.schema.tags,
        parameters,
        responses,
        ...(r.schema.security ? { security: r.schema.security } : {}),
      };
      if (r.schema.body) operation.requestBody = { required: true, content: { [r.schema.consumes?.[0] ?? 'application/json']: { schema: r.schema.body } } };
      (paths[path] ??= {})[r.method] = operation;
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Portico management API', version: '1.0.0', description: 'Configure organizations, APIs, products, plans, applications and contracts.' },
      servers: [{ url: serverUrl }],
      security: [{ bearer: [] }, { session: [] }],
      paths,
      components: {
        schemas: { Problem: PROBLEM },
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } } },
          session: { type: 'apiKey', in: 'cookie', name: 'portico_session' },
        },
      },
    };
  }
}

declare module 'fastify' {
  interface FastifySchema {
    /** Leave the route out of the OpenAPI document. */
    hide?: boolean;
    operationId?: string;
    summary?: string;
    tags?: string[];
    consumes?: string[];
    security?: Record<string, string[]>[];
  }
}
