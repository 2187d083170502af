import { Type, type Static } from 'typebox';
import { Description, Meta, Name, Slug } from './common.ts';

export const OrganizationCreate = Type.Object(
  { id: Slug, name: Name, description: Type.Optional(Description) },
  { additionalProperties: false },
);
export const OrganizationUpdate = Type.Object({ name: Type.Optional(Name), description: Type.Optional(Description) }, { additionalProperties: false });
export const Organization = Type.Object({ ...Meta, id: Slug, name: Name, description: Description });

export type OrganizationCreate = Static<typeof OrganizationCreate>;
export type OrganizationUpdate = Static<typeof OrganizationUpdate>;
export type Organization = Static<typeof Organization>;
