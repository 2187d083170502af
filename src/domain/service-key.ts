import { Type, type Static } from 'typebox';
import { Id, Meta, Name, Role } from './common.ts';

export const ServiceKeyCreate = Type.Object({ name: Name, role: Type.Optional(Role) }, { additionalProperties: false });
export const ServiceKey = Type.Object({
  ...Meta,
  name: Name,
  organizationId: Type.Union([Id, Type.Null()], { description: 'null: installation-wide administrator key' }),
  role: Role,
  clientId: Type.String(),
});
/** Returned once, at creation: what an automation needs to get tokens (SAP's service key shape). */
export const ServiceKeyCredentials = Type.Object({
  ...ServiceKey.properties,
  clientSecret: Type.String(),
  url: Type.String({ description: 'Management API base URL' }),
  tokenUrl: Type.String({ description: 'OAuth 2.0 token endpoint' }),
});

export type ServiceKeyCreate = Static<typeof ServiceKeyCreate>;
export type ServiceKey = Static<typeof ServiceKey>;
export type ServiceKeyCredentials = Static<typeof ServiceKeyCredentials>;
