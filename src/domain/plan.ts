import { Type, type Static } from 'typebox';
import { PorticoError } from '../core/errors.ts';
import { Description, Id, Meta, Name } from './common.ts';

export const PlanCreate = Type.Object({ name: Name, description: Type.Optional(Description) }, { additionalProperties: false });
export const PlanUpdate = Type.Object({ description: Type.Optional(Description) }, { additionalProperties: false });
export const Plan = Type.Object({
  ...Meta,
  organizationId: Id,
  productId: Id,
  name: Name,
  description: Description,
  planVersion: Type.Integer({ description: 'Version number; a new version starts as draft' }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('locked')]),
  lockedAt: Type.Union([Type.String(), Type.Null()]),
});

export type PlanCreate = Static<typeof PlanCreate>;
export type PlanUpdate = Static<typeof PlanUpdate>;
export type Plan = Static<typeof Plan>;

/** A locked plan is immutable: contracts signed against it must not change under their feet. */
export function assertPlanEditable(plan: Pick<Plan, 'status' | 'name' | 'planVersion'>): void {
  if (plan.status === 'locked') {
    throw new PorticoError(
      'PORTICO_PLAN_LOCKED',
      `Plan "${plan.name}" version ${plan.planVersion} is locked; create a new version (POST .../plans/{id}/versions) to change it`,
    );
  }
}

export function assertPlanLocked(plan: Pick<Plan, 'status' | 'name'>): void {
  if (plan.status !== 'locked') throw new PorticoError('PORTICO_PLAN_NOT_LOCKED', `Plan "${plan.name}" must be locked before contracts use it`);
}
