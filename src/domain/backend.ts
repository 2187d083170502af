import { Type, type Static } from 'typebox';
import { Description, Id, Meta, Name, literals } from './common.ts';

const Target = Type.Object(
  {
    url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000, description: 'http(s) URL of the backend, may include a base path' }),
    weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Relative weight for weighted balancing' })),
  },
  { additionalProperties: false },
);

const Tls = Type.Object(
  {
    ca: Type.Optional(Type.Union([Type.String({ maxLength: 65536 }), Type.Null()], { description: 'PEM CA bundle to trust' })),
    clientCertificate: Type.Optional(Type.Union([Type.String({ maxLength: 65536 }), Type.Null()], { description: 'PEM client certificate (mutual TLS)' })),
    clientKeyNamedValue: Type.Optional(
      Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'Name of the secret named value holding the PEM client key' }),
    ),
    rejectUnauthorized: Type.Optional(Type.Boolean({ default: true, description: 'Verify the backend certificate' })),
  },
  { additionalProperties: false },
);

const settings = {
  description: Type.Optional(Description),
  targets: Type.Array(Target, { minItems: 1, maxItems: 64, description: 'One or more target URLs' }),
  balancing: Type.Optional(literals(['round-robin', 'weighted'] as const, 'How requests spread over targets')),
  connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 600000, description: 'Connect timeout' })),
  readTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600000, description: 'Timeout for response headers and between body chunks' })),
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5, description: 'Extra attempts for idempotent methods on connection failure' })),
  hostHeader: Type.Optional(literals(['preserve', 'backend'] as const, 'Forward the client Host or send the target host')),
  circuitBreaker: Type.Optional(
    Type.Object(
      {
        failureThreshold: Type.Integer({ minimum: 1, maximum: 1000, description: 'Consecutive failures that open the circuit' }),
        cooldownMs: Type.Integer({ minimum: 100, maximum: 3600000, description: 'How long an open circuit waits before a trial call' }),
      },
      { additionalProperties: false },
    ),
  ),
  tls: Type.Optional(Type.Union([Tls, Type.Null()])),
  connectivity: Type.Optional(literals(['direct', 'on-premise'] as const, 'Direct, or through on-premise connectivity')),
};

export const BackendCreate = Type.Object({ name: Name, ...settings }, { additionalProperties: false });
export const BackendUpdate = Type.Partial(BackendCreate, { additionalProperties: false });
export const Backend = Type.Object({
  ...Meta,
  organizationId: Id,
  name: Name,
  description: Description,
  targets: Type.Array(Type.Object({ url: Type.String(), weight: Type.Integer() })),
  balancing: literals(['round-robin', 'weighted'] as const, 'Balancing'),
  connectTimeoutMs: Type.Integer(),
  readTimeoutMs: Type.Integer(),
  retries: Type.Integer(),
  hostHeader: literals(['preserve', 'backend'] as const, 'Host header'),
  circuitBreaker: Type.Object({ failureThreshold: Type.Integer(), cooldownMs: Type.Integer() }),
  tls: Type.Union([Tls, Type.Null()]),
  connectivity: literals(['direct', 'on-premise'] as const, 'Connectivity'),
});

export type BackendCreate = Static<typeof BackendCreate>;
export type BackendUpdate = Static<typeof BackendUpdate>;
export type Backend = Static<typeof Backend>;

export const BACKEND_DEFAULTS = {
  description: '',
  balancing: 'round-robin',
  connectTimeoutMs: 5000,
  readTimeoutMs: 30000,
  retries: 1,
  hostHeader: 'backend',
  circuitBreaker: { failureThreshold: 5, cooldownMs: 10000 },
  tls: null,
  connectivity: 'direct',
} as const;
