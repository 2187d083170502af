import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PorticoError } from '../core/errors.ts';
import { CONTRACT_STATUSES, initialStatus, isClosed, nextStatus, type ContractAction, type ContractStatus } from './contract.ts';

/** The whole state machine: for each action, the status it leads to from each status, or null when refused. */
const TABLE: Record<ContractAction, Record<ContractStatus, ContractStatus | null>> = {
  approve: { pending: 'active', active: null, suspended: null, rejected: null, cancelled: null },
  reject: { pending: 'rejected', active: null, suspended: null, rejected: null, cancelled: null },
  suspend: { pending: null, active: 'suspended', suspended: null, rejected: null, cancelled: null },
  resume: { pending: null, active: null, suspended: 'active', rejected: null, cancelled: null },
  cancel: { pending: 'cancelled', active: 'cancelled', suspended: 'cancelled', rejected: null, cancelled: null },
};

describe('contract state machine', () => {
  for (const [action, row] of Object.entries(TABLE) as [ContractAction, Record<ContractStatus, ContractStatus | null>][]) {
    for (const status of CONTRACT_STATUSES) {
      const expected = row[status];
      if (expected) {
        it(`${action} moves a ${status} contract to ${expected}`, () => {
          assert.equal(nextStatus(status, action), expected);
        });
      } else {
        it(`${action} is refused on a ${status} contract with PORTICO_INVALID_TRANSITION`, () => {
          assert.throws(
            () => nextStatus(status, action),
            (error: unknown) => {
              assert.ok(error instanceof PorticoError);
              assert.equal(error.code, 'PORTICO_INVALID_TRANSITION');
              assert.equal(error.status, 409);
              assert.deepEqual(error.details, { status, action });
              assert.match(error.message, new RegExp(`^A ${status} contract cannot be `));
              return true;
            },
          );
        });
      }
    }
  }

  it('covers every status in the table', () => {
    for (const row of Object.values(TABLE)) assert.deepEqual(Object.keys(row).sort(), [...CONTRACT_STATUSES].sort());
  });

  it('starts contracts of manual-approval products as pending and the others as active', () => {
    assert.equal(initialStatus('manual'), 'pending');
    assert.equal(initialStatus('auto'), 'active');
  });

  it('treats only rejected and cancelled contracts as closed', () => {
    const closed = CONTRACT_STATUSES.filter((s) => isClosed(s));
    assert.deepEqual(closed.sort(), ['cancelled', 'rejected']);
  });

  it('words the refusal of a cancel as "cancelled"', () => {
    assert.throws(() => nextStatus('rejected', 'cancel'), /A rejected contract cannot be cancelled/);
    assert.throws(() => nextStatus('active', 'approve'), /A active contract cannot be approved/);
  });
});
