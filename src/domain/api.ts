import { Type, type Static } from 'typebox';
import { Description, Id, Meta, Name, literals } from './common.ts';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const PathTemplate = Type.String({
  minLength: 1,
  maxLength: 1000,
  pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@%/{}-]*$',
  description: 'OpenAPI path template relative to the base path, e.g. /orders/{id}',
});

export const OperationInput = Type.Object(
  {
    method: literals(HTTP_METHODS, 'HTTP method'),
    path: PathTemplate,
    operationId: Type.Optional(Type.String({ maxLength: 200, description: 'OpenAPI operationId' })),
    summary: Type.Optional(Type.String({ maxLength: 1000, description: 'One-line summary' })),
  },
  { additionalProperties: false },
);
export const Operation = Type.Object({ id: Id, method: Type.String(), path: Type.String(), operationId: Type.Union([Type.String(), Type.Null()]), summary: Type.String() });

const BasePath = Type.String({
  minLength: 1,
  maxLength: 500,
  pattern: '^(/[A-Za-z0-9._~-]+)+$',
  description: 'Gateway base path: starts with /, no trailing slash, no parameters',
});

const fields = {
  description: Type.Optional(Description),
  basePath: BasePath,
  host: Type.Optional(Type.Union([Type.String({ maxLength: 253, pattern: '^[A-Za-z0-9.-]+(:[0-9]+)?$' }), Type.Null()], { description: 'Host the API answers on; null: any' })),
  version: Type.Optional(Type.Union([Type.String({ maxLength: 50, pattern: '^[A-Za-z0-9._-]+$' }), Type.Null()], { description: 'Version label' })),
  versioning: Type.Optional(
    Type.Object(
      {
        scheme: literals(['none', 'path', 'header', 'query'] as const, 'Where the version is read from'),
        name: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { description: 'Header or query parameter name' })),
      },
      { additionalProperties: false },
    ),
  ),
  visibility: Type.Optional(literals(['public', 'private'] as const, 'Public APIs need no key and take no contract')),
  lifecycle: Type.Optional(literals(['draft', 'published', 'deprecated', 'retired'] as const, 'Only published and deprecated APIs are served')),
  backendId: Id,
  maxRequestBodyBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1073741824, description: 'Largest request body accepted' })),
  apiKeyHeader: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9-]+$', description: 'Header carrying the API key' })),
  apiKeyQueryParam: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { description: 'Query parameter allowed to carry the key; null: none' })),
  forwardApiKey: Type.Optional(Type.Boolean({ description: 'Forward the API key to the backend (stripped by default)' })),
  operations: Type.Optional(Type.Array(OperationInput, { maxItems: 2000, description: 'Operations; empty forwards every path' })),
};

export const ApiCreate = Type.Object({ name: Name, ...fields }, { additionalProperties: false });
export const ApiUpdate = Type.Partial(ApiCreate, { additionalProperties: false });
export const Api = Type.Object({
  ...Meta,
  organizationId: Id,
  name: Name,
  description: Description,
  basePath: Type.String(),
  host: Type.Union([Type.String(), Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
  versioning: Type.Object({ scheme: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
  visibility: Type.String(),
  lifecycle: Type.String(),
  backendId: Id,
  maxRequestBodyBytes: Type.Integer(),
  apiKeyHeader: Type.String(),
  apiKeyQueryParam: Type.Union([Type.String(), Type.Null()]),
  forwardApiKey: Type.Boolean(),
  operations: Type.Array(Operation),
});

export type ApiCreate = Static<typeof ApiCreate>;
export type ApiUpdate = Static<typeof ApiUpdate>;
export type Api = Static<typeof Api>;
export type Operation = Static<typeof Operation>;

export const API_DEFAULTS = {
  description: '',
  host: null,
  version: null,
  versioning: { scheme: 'none', name: null },
  visibility: 'private',
  lifecycle: 'published',
  maxRequestBodyBytes: 10 * 1024 * 1024,
  apiKeyHeader: 'X-API-Key',
  apiKeyQueryParam: null,
  forwardApiKey: false,
} as const;
