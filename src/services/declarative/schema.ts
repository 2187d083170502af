import { Type, type Static } from 'typebox';
import { ApiCreate, OperationInput } from '../../domain/api.ts';
import { BackendCreate } from '../../domain/backend.ts';
import { Description, Name } from '../../domain/common.ts';
import { ProductCreate } from '../../domain/product.ts';

/**
 * The declarative configuration of one organization (DESIGN.md §3): every backend, API, product,
 * plan, application, contract, named value and policy, referenced by name, never by id, so that one
 * file describes the organization on any installation. `docs/portico-config.schema.json` is this schema.
 */
const Policy = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 100, description: 'Policy type (GET /management/v1/policy-types)' }),
    config: Type.Record(Type.String(), Type.Unknown(), { description: 'Configuration, validated against the type schema' }),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
  },
  { additionalProperties: false },
);
const Policies = Type.Array(Policy, { maxItems: 100, description: 'Policies of this scope, in order. Absent: left as they are (removed with --prune)' });

const NamedValueName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' });
const EnvName = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Environment variable read by `portico apply`' });
const NamedValue = Type.Union(
  [
    Type.Object({ name: NamedValueName, value: Type.String({ maxLength: 65536 }), secret: Type.Optional(Type.Literal(false)) }, { additionalProperties: false, description: 'A plain constant' }),
    Type.Object(
      { name: NamedValueName, secret: Type.Optional(Type.Boolean()), valueFrom: Type.Object({ env: EnvName }, { additionalProperties: false }) },
      { additionalProperties: false, description: 'A value (a secret: always) read from the environment of `portico apply`; secrets are never written in the file' },
    ),
  ],
  { description: 'Named value referenced from policies as {{name}}' },
);

const { backendId: _backendId, operations: _operations, ...apiFields } = ApiCreate.properties;
const Api = Type.Object(
  {
    ...apiFields,
    backend: Type.String({ minLength: 1, maxLength: 200, description: 'Name of a backend' }),
    operations: Type.Optional(Type.Array(OperationInput, { maxItems: 2000, description: 'Inline operations (or take them from `openapi`)' })),
    openapi: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 1000, description: 'Path of an OpenAPI document, relative to this file' }), Type.Object({}, { additionalProperties: true, description: 'The OpenAPI document itself' })]),
    ),
    policies: Type.Optional(Policies),
  },
  { additionalProperties: false },
);

const Plan = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    locked: Type.Optional(Type.Boolean({ description: 'Locked plans are immutable: a change becomes a new plan version' })),
    policies: Type.Optional(Policies),
  },
  { additionalProperties: false },
);

const { apiIds: _apiIds, groupIds: _groupIds, ...productFields } = ProductCreate.properties;
const Product = Type.Object(
  {
    ...productFields,
    apis: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500, uniqueItems: true, description: 'Names of the APIs in the product' })),
    plans: Type.Optional(Type.Array(Plan, { maxItems: 100 })),
    policies: Type.Optional(Policies),
  },
  { additionalProperties: false },
);

const Application = Type.Object({ name: Name, description: Type.Optional(Description), policies: Type.Optional(Policies) }, { additionalProperties: false });

const Contract = Type.Object(
  {
    application: Type.String({ minLength: 1, maxLength: 200 }),
    product: Type.String({ minLength: 1, maxLength: 200 }),
    plan: Type.String({ minLength: 1, maxLength: 200, description: 'Plan name; new contracts take its latest locked version' }),
    status: Type.Optional(Type.Enum(['pending', 'active', 'suspended'] as const, { description: 'Default: what the product approval gives (active, or pending for manual approval)' })),
  },
  { additionalProperties: false },
);

export const ConfigDocument = Type.Object(
  {
    portico: Type.Literal(1, { description: 'Format version' }),
    organization: Type.Optional(Type.String({ maxLength: 63, description: 'Organization id this was exported from (informational)' })),
    namedValues: Type.Optional(Type.Array(NamedValue, { maxItems: 1000 })),
    backends: Type.Optional(Type.Array(BackendCreate, { maxItems: 1000 })),
    apis: Type.Optional(Type.Array(Api, { maxItems: 1000 })),
    products: Type.Optional(Type.Array(Product, { maxItems: 1000 })),
    applications: Type.Optional(Type.Array(Application, { maxItems: 10000 })),
    contracts: Type.Optional(Type.Array(Contract, { maxItems: 10000 })),
    policies: Type.Optional(Type.Array(Policy, { maxItems: 100, description: 'Global policies of the organization' })),
  },
  {
    additionalProperties: false,
    $id: 'https://portico.dev/schemas/portico-config.schema.json',
    title: 'Portico declarative configuration',
    description: 'One organization: `portico apply -f FILE` makes the organization match, `portico export` writes it.',
  },
);

export type ConfigDocument = Static<typeof ConfigDocument>;
export type PolicyDecl = Static<typeof Policy>;
export type ApiDecl = Static<typeof Api>;
export type ProductDecl = Static<typeof Product>;
export type PlanDecl = Static<typeof Plan>;
export type NamedValueDecl = Static<typeof NamedValue>;
