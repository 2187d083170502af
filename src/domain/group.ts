import { Type, type Static } from 'typebox';
import { Description, Id, Meta, Name } from './common.ts';

/** Built-in groups of every organization (Azure API Management's model). */
export const BUILTIN_GROUPS = ['administrators', 'developers', 'guests'] as const;

export const GroupCreate = Type.Object({ name: Name, description: Type.Optional(Description) }, { additionalProperties: false });
export const GroupUpdate = Type.Object({ name: Type.Optional(Name), description: Type.Optional(Description) }, { additionalProperties: false });
export const Group = Type.Object({ ...Meta, organizationId: Id, name: Name, description: Description, builtin: Type.Boolean() });

export type GroupCreate = Static<typeof GroupCreate>;
export type GroupUpdate = Static<typeof GroupUpdate>;
export type Group = Static<typeof Group>;
