import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { parse as parseYaml } from 'yaml';
import { Slug } from '../../domain/common.ts';
import type { Services } from '../../services/context.ts';
import { configToYaml } from '../../services/declarative/file.ts';
import { applyConfig, exportConfig } from '../../services/declarative/reconcile.ts';
import { PorticoError } from '../../core/errors.ts';
import { ctxOf } from '../http.ts';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];
const BODY_LIMIT = 1024 * 1024;
const Params = Type.Object({ orgId: Slug });
const ApplyQuery = Type.Object(
  {
    prune: Type.Optional(Type.Boolean({ default: false, description: 'Also delete what the document omits (open contracts are cancelled)' })),
    dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Report the changes without making them (portico diff)' })),
  },
  { additionalProperties: false },
);
const ApplyBody = Type.Object(
  {
    document: Type.Union([Type.Object({}, { additionalProperties: true, description: 'The configuration (docs/portico-config.schema.json)' }), Type.String({ description: 'The configuration as YAML or JSON text' })]),
    env: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Values of the environment variables named by valueFrom.env' })),
  },
  { additionalProperties: false, description: 'Or send the configuration itself as application/yaml or application/json (then secrets cannot be given)' },
);
const Change = Type.Object({ action: Type.String(), kind: Type.String(), name: Type.String(), fields: Type.Optional(Type.Array(Type.String())) });
const ApplyResult = Type.Object({ applied: Type.Boolean(), dryRun: Type.Boolean(), changes: Type.Array(Change), warnings: Type.Array(Type.String()) });

/** Configuration as code: the organization as one document, exported and applied whole. */
export function configRoutes(app: FastifyInstance, services: Services): void {
  if (!app.hasContentTypeParser('application/yaml')) {
    app.addContentTypeParser(YAML_TYPES, { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, String(body)));
  }
  app.get(
    '/organizations/:orgId/config',
    { schema: { operationId: 'exportConfig', summary: 'Export the organization as a declarative configuration (YAML with Accept: application/yaml)', tags: ['Configuration'], params: Params, response: { 200: Type.Object({}, { additionalProperties: true }) } } },
    async (req, reply) => {
      const { orgId } = req.params as { orgId: string };
      const doc = await exportConfig(ctxOf(services, req), orgId);
      if (YAML_TYPES.some((t) => (req.headers.accept ?? '').includes(t))) return reply.type('application/yaml').send(configToYaml(doc));
      return doc;
    },
  );
  app.post(
    '/organizations/:orgId/config/apply',
    {
      schema: { operationId: 'applyConfig', summary: 'Make the organization match a declarative configuration, in one transaction', tags: ['Configuration'], params: Params, querystring: ApplyQuery, body: ApplyBody, response: { 200: ApplyResult } },
      preValidation: async (req) => {
        const body = req.body as unknown;
        const yaml = YAML_TYPES.some((t) => (req.headers['content-type'] ?? '').startsWith(t));
        if ((yaml && typeof body === 'string') || (body !== null && typeof body === 'object' && !Array.isArray(body) && 'portico' in body)) req.body = { document: body };
      },
    },
    async (req) => {
      const { orgId } = req.params as { orgId: string };
      const q = req.query as { prune?: boolean; dryRun?: boolean };
      const b = req.body as { document: unknown; env?: Record<string, string> };
      let document = b.document;
      if (typeof document === 'string') {
        try {
          document = parseYaml(document);
        } catch (error) {
          throw new PorticoError('PORTICO_VALIDATION_FAILED', `The configuration is neither JSON nor YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        }
      }
      return applyConfig(ctxOf(services, req), orgId, document, { prune: q.prune ?? false, dryRun: q.dryRun ?? false, env: b.env ?? {} });
    },
  );
}
