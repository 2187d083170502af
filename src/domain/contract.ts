import { Type, type Static } from 'typebox';
import { PorticoError } from '../core/errors.ts';
import { Id, Meta, literals } from './common.ts';

export const CONTRACT_STATUSES = ['pending', 'active', 'suspended', 'rejected', 'cancelled'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];
export type ContractAction = 'approve' | 'reject' | 'suspend' | 'resume' | 'cancel';

/** Which status each action moves a contract to, from which statuses. */
const TRANSITIONS: Record<ContractAction, { from: readonly ContractStatus[]; to: ContractStatus }> = {
  approve: { from: ['pending'], to: 'active' },
  reject: { from: ['pending'], to: 'rejected' },
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  cancel: { from: ['pending', 'active', 'suspended'], to: 'cancelled' },
};

export function nextStatus(current: ContractStatus, action: ContractAction): ContractStatus {
  const t = TRANSITIONS[action];
  if (!t.from.includes(current)) {
    throw new PorticoError('PORTICO_INVALID_TRANSITION', `A ${current} contract cannot be ${action === 'cancel' ? 'cancelled' : `${action}d`}`, {
      status: current,
      action,
    });
  }
  return t.to;
}

/** Contracts on products with manual approval wait for a publisher. */
export function initialStatus(approval: string): ContractStatus {
  return approval === 'manual' ? 'pending' : 'active';
}

/** A contract that no longer grants or can grant access. */
export function isClosed(status: ContractStatus): boolean {
  return status === 'rejected' || status === 'cancelled';
}

export const ContractCreate = Type.Object({ applicationId: Id, productId: Id, planId: Id }, { additionalProperties: false });
export const Contract = Type.Object({
  ...Meta,
  organizationId: Id,
  applicationId: Id,
  productId: Id,
  planId: Id,
  status: literals(CONTRACT_STATUSES, 'Contract status'),
});

export type ContractCreate = Static<typeof ContractCreate>;
export type Contract = Omit<Static<typeof Contract>, 'status'> & { status: ContractStatus };
