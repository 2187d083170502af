import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { stringify as toYaml } from 'yaml';
import { Api } from '../../domain/api.ts';
import { Backend } from '../../domain/backend.ts';
import { Id, Slug } from '../../domain/common.ts';
import type { Services } from '../../services/context.ts';
import { exportOpenApi, importApi } from '../../services/import/import-api.ts';
import { ctxOf, withEtag } from '../http.ts';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];
/** The management API's 1 MiB; a larger document is imported from a file with `portico apply`. */
const IMPORT_BODY_LIMIT = 1024 * 1024;

const Options = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "API name; default: the document's info.title" })),
  basePath: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '^(/[A-Za-z0-9._~-]+)+$', description: 'Gateway base path; default: / + the name in lower-case dashes' })),
  backendId: Type.Optional(Id),
  apiId: Type.Optional(Type.Union([Id], { description: 'Re-import into this API; the answer reports the operation changes' })),
};
const ImportBody = Type.Object(
  {
    document: Type.Union([Type.String({ maxLength: IMPORT_BODY_LIMIT, description: 'OpenAPI 3.0/3.1 or Swagger 2.0 document as JSON or YAML text' }), Type.Object({}, { additionalProperties: true, description: 'The document as a JSON object' })]),
    ...Options,
  },
  { additionalProperties: false, description: 'Or send the document itself as application/yaml or application/json, with the options as query parameters' },
);
const ImportQuery = Type.Object(Options, { additionalProperties: false });
const OperationRef = Type.Object({ method: Type.String(), path: Type.String() });
const ImportResult = Type.Object({
  created: Type.Boolean({ description: 'true: a new API; false: a re-import' }),
  api: Api,
  backend: Type.Union([Backend, Type.Null()], { description: 'The backend created from the first server, if any' }),
  format: Type.String({ description: 'swagger-2.0, openapi-3.0 or openapi-3.1' }),
  security: Type.Object({
    apiKey: Type.Union([Type.Object({ in: Type.String(), name: Type.String() }), Type.Null()]),
    oauth2: Type.Boolean(),
    openIdConnect: Type.Boolean(),
    http: Type.Array(Type.String()),
  }),
  changes: Type.Object({ added: Type.Array(OperationRef), removed: Type.Array(OperationRef), changed: Type.Array(Type.Object({ method: Type.String(), path: Type.String(), fields: Type.Array(Type.String()) })) }),
  warnings: Type.Array(Type.String()),
});

type ImportRequest = { document: string | Record<string, unknown>; name?: string; basePath?: string; backendId?: string; apiId?: string };

/** Import an API from an OpenAPI document, and export an API's document with the gateway as server. */
export function importRoutes(app: FastifyInstance, services: Services, gatewayUrl: string): void {
  if (!app.hasContentTypeParser('application/yaml')) {
    app.addContentTypeParser(YAML_TYPES, { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, String(body)));
  }
  app.post(
    '/organizations/:orgId/apis/import',
    {
      schema: { operationId: 'importApi', summary: 'Create or re-import an API from an OpenAPI 3.0/3.1 or Swagger 2.0 document', tags: ['APIs'], params: Type.Object({ orgId: Slug }), querystring: ImportQuery, body: ImportBody, response: { 200: ImportResult, 201: ImportResult } },
      // A raw document (YAML text, or JSON with a top-level openapi/swagger) becomes `{ document, ...query }`.
      preValidation: async (req) => {
        const body = req.body as unknown;
        const yaml = YAML_TYPES.some((t) => (req.headers['content-type'] ?? '').startsWith(t));
        const raw = (yaml && typeof body === 'string') || (body !== null && typeof body === 'object' && !Array.isArray(body) && ('openapi' in body || 'swagger' in body));
        if (raw) req.body = { document: body, ...(req.query as object) };
      },
    },
    async (req, reply) => {
      const { orgId } = req.params as { orgId: string };
      const b = req.body as ImportRequest;
      const result = await importApi(ctxOf(services, req), orgId, {
        source: typeof b.document === 'string' ? { text: b.document } : { object: b.document },
        name: b.name,
        basePath: b.basePath,
        backendId: b.backendId,
        apiId: b.apiId,
      });
      reply.code(result.created ? 201 : 200);
      if (result.created) reply.header('location', `/management/v1/organizations/${orgId}/apis/${result.api.id}`);
      withEtag(reply, { entity: result.api, version: result.version });
      return { created: result.created, api: result.api, backend: result.backend, format: result.format, security: result.security, changes: result.changes, warnings: result.warnings };
    },
  );
  app.get(
    '/organizations/:orgId/apis/:apiId/openapi',
    {
      schema: {
        operationId: 'exportApiOpenApi',
        summary: "The API's OpenAPI document with the gateway as server (YAML with Accept: application/yaml)",
        tags: ['APIs'],
        params: Type.Object({ orgId: Slug, apiId: Id }),
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      },
    },
    async (req, reply) => {
      const { orgId, apiId } = req.params as { orgId: string; apiId: string };
      const doc = await exportOpenApi(ctxOf(services, req), orgId, apiId, gatewayUrl);
      if (YAML_TYPES.some((t) => (req.headers.accept ?? '').includes(t))) return reply.type('application/yaml').send(toYaml(doc, { aliasDuplicateObjects: false }));
      return doc;
    },
  );
}
