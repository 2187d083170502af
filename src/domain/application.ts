import { Type, type Static } from 'typebox';
import { Description, Id, Meta, Name } from './common.ts';

export const ApplicationCreate = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    ownerUserId: Type.Optional(Type.Union([Id, Type.Null()], { description: 'Developer who owns the application' })),
  },
  { additionalProperties: false },
);
export const ApplicationUpdate = Type.Object({ name: Type.Optional(Name), description: Type.Optional(Description) }, { additionalProperties: false });
export const Application = Type.Object({
  ...Meta,
  organizationId: Id,
  name: Name,
  description: Description,
  ownerUserId: Type.Union([Id, Type.Null()]),
  clientId: Type.String({ description: 'OAuth client id of the application' }),
});
export const KeySlot = Type.Union([Type.Literal('primary'), Type.Literal('secondary')]);
export const ApplicationKeys = Type.Object({ primary: Type.String(), secondary: Type.String() });

export type ApplicationCreate = Static<typeof ApplicationCreate>;
export type ApplicationUpdate = Static<typeof ApplicationUpdate>;
export type Application = Static<typeof Application>;
export type KeySlot = Static<typeof KeySlot>;
