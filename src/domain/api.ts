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

const HeaderName = (description: string) => Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9-]+$', description });

/** Signature algorithms a gateway accepts for external JWTs: asymmetric only, never `none` nor HS*. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const IdentityHeadersInput = Type.Object(
  {
    application: Type.Optional(HeaderName('Header carrying the calling application id')),
    plan: Type.Optional(HeaderName('Header carrying the plan name and version (`Gold;version=1`)')),
    user: Type.Optional(HeaderName("Header carrying the application owner's user id")),
  },
  { additionalProperties: false, description: 'Headers the gateway sets from the contract (any client-sent header of these names is removed)' },
);

const JwtInput = Type.Object(
  {
    issuer: Type.String({ minLength: 1, maxLength: 1000, description: 'Expected `iss`' }),
    audiences: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { minItems: 1, maxItems: 20, description: 'Accepted `aud` values (one must match)' }),
    jwksUrl: Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://', description: "URL of the identity provider's JWKS" }),
    algorithms: Type.Optional(Type.Array(literals(JWT_ALGORITHMS, 'Signature algorithm'), { minItems: 1, maxItems: 10, uniqueItems: true, description: 'Accepted algorithms; default RS256, ES256, EdDSA' })),
    requiredClaims: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]), { description: 'Claims that must have these values (array claims must contain the value)' })),
    clockSkewSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, description: 'Tolerance for exp/nbf/iat; default 30' })),
  },
  { additionalProperties: false, description: 'Validate a JWT from an external identity provider in Authorization: Bearer (Azure validate-jwt); null: none' },
);

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
  identityHeaders: Type.Optional(IdentityHeadersInput),
  jwt: Type.Optional(Type.Union([JwtInput, Type.Null()])),
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
  identityHeaders: Type.Object({ application: Type.String(), plan: Type.String(), user: Type.String() }),
  jwt: Type.Union([
    Type.Object({
      issuer: Type.String(),
      audiences: Type.Array(Type.String()),
      jwksUrl: Type.String(),
      algorithms: Type.Array(Type.String()),
      requiredClaims: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
      clockSkewSeconds: Type.Integer(),
    }),
    Type.Null(),
  ]),
  operations: Type.Array(Operation),
});

export type ApiCreate = Static<typeof ApiCreate>;
export type ApiUpdate = Static<typeof ApiUpdate>;
export type Api = Static<typeof Api>;
export type Operation = Static<typeof Operation>;

/** What an imported OpenAPI document says about authentication. */
export interface ImportedSecurity {
  /** The API key scheme the document requires, if any (header or query). */
  apiKey: { in: 'header' | 'query' | 'cookie'; name: string } | null;
  oauth2: boolean;
  openIdConnect: boolean;
  /** HTTP schemes (basic, bearer …) the document names. */
  http: string[];
}

/** The OpenAPI document an API was imported from, kept (dereferenced) for validation and mocking. */
export interface StoredOpenApi {
  format: 'swagger-2.0' | 'openapi-3.0' | 'openapi-3.1';
  document: Record<string, unknown>;
  security: ImportedSecurity;
}

/** The stored form of an API: the API plus, when imported, its OpenAPI document (never in lists). */
export type StoredApi = Api & { openapi?: StoredOpenApi };

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
  identityHeaders: { application: 'X-Portico-Application', plan: 'X-Portico-Plan', user: 'X-Portico-User' },
  jwt: null,
} as const;

export const JWT_DEFAULTS = { algorithms: ['RS256', 'ES256', 'EdDSA'], requiredClaims: {}, clockSkewSeconds: 30 } as const;

export type ApiJwt = NonNullable<Api['jwt']>;
export type IdentityHeaders = Api['identityHeaders'];

/** Fills the defaults of the access fields (also for APIs stored before they existed). */
export function accessOf(api: {
  identityHeaders?: Partial<IdentityHeaders> | undefined;
  jwt?: (Pick<ApiJwt, 'issuer' | 'audiences' | 'jwksUrl'> & Partial<ApiJwt>) | null | undefined;
}): { identityHeaders: IdentityHeaders; jwt: ApiJwt | null } {
  const identityHeaders = { ...API_DEFAULTS.identityHeaders, ...api.identityHeaders };
  const j = api.jwt ?? null;
  const jwt = j === null ? null : { issuer: j.issuer, audiences: [...j.audiences], jwksUrl: j.jwksUrl, algorithms: [...(j.algorithms ?? JWT_DEFAULTS.algorithms)], requiredClaims: { ...(j.requiredClaims ?? JWT_DEFAULTS.requiredClaims) }, clockSkewSeconds: j.clockSkewSeconds ?? JWT_DEFAULTS.clockSkewSeconds };
  return { identityHeaders, jwt };
}
