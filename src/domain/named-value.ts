import { Type, type Static } from 'typebox';
import { Id, Meta } from './common.ts';

const NamedValueName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$', description: 'Referenced from policies as {{name}}' });
const Value = Type.String({ maxLength: 65536, description: 'The value; secrets are encrypted at rest and never shown again' });

export const NamedValueCreate = Type.Object(
  { name: NamedValueName, value: Value, secret: Type.Optional(Type.Boolean({ description: 'Hide and encrypt the value' })) },
  { additionalProperties: false },
);
export const NamedValueUpdate = Type.Object({ value: Type.Optional(Value) }, { additionalProperties: false });
export const NamedValue = Type.Object({
  ...Meta,
  organizationId: Id,
  name: Type.String(),
  secret: Type.Boolean(),
  value: Type.Union([Type.String(), Type.Null()], { description: 'null for secrets' }),
});

export type NamedValueCreate = Static<typeof NamedValueCreate>;
export type NamedValueUpdate = Static<typeof NamedValueUpdate>;
export type NamedValue = Static<typeof NamedValue>;
