import { Type, type Static } from 'typebox';

export const AuditEvent = Type.Object({
  id: Type.String(),
  organizationId: Type.Union([Type.String(), Type.Null()]),
  actor: Type.String({ description: 'Who: user:<id> or service-key:<clientId>' }),
  action: Type.String({ description: 'What: create, update, delete, lock, approve …' }),
  entityType: Type.String(),
  entityId: Type.String(),
  before: Type.Union([Type.Unknown(), Type.Null()]),
  after: Type.Union([Type.Unknown(), Type.Null()]),
  at: Type.String(),
});
export type AuditEvent = Static<typeof AuditEvent>;
