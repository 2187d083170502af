import { Type, type Static } from 'typebox';
import { Id, Meta, literals } from './common.ts';

/** Order of scopes in a request's chain (DESIGN.md §2): request phase in this order, response in reverse. */
export const POLICY_SCOPES = ['global', 'product', 'plan', 'api', 'operation', 'application'] as const;
export type PolicyScope = (typeof POLICY_SCOPES)[number];

const Scope = Type.Object(
  {
    type: literals(POLICY_SCOPES, 'Scope the policy is attached to'),
    id: Type.Optional(Type.Union([Id, Type.Null()], { description: 'Entity id of the scope; null for global' })),
  },
  { additionalProperties: false },
);

export const PolicyCreate = Type.Object(
  {
    scope: Scope,
    type: Type.String({ minLength: 1, maxLength: 100, description: 'Policy type (see GET /policy-types)' }),
    config: Type.Record(Type.String(), Type.Unknown(), { description: 'Configuration, validated against the type schema' }),
    enabled: Type.Optional(Type.Boolean()),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000, description: 'Order inside the scope' })),
  },
  { additionalProperties: false },
);
export const PolicyUpdate = Type.Object(
  {
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    enabled: Type.Optional(Type.Boolean()),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
  },
  { additionalProperties: false },
);
export const Policy = Type.Object({
  ...Meta,
  organizationId: Id,
  scope: Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  type: Type.String(),
  config: Type.Record(Type.String(), Type.Unknown()),
  enabled: Type.Boolean(),
  position: Type.Integer(),
});

export type PolicyCreate = Static<typeof PolicyCreate>;
export type PolicyUpdate = Static<typeof PolicyUpdate>;
export type Policy = Static<typeof Policy>;
