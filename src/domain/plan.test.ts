import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PorticoError } from '../core/errors.ts';
import { assertPlanEditable, assertPlanLocked } from './plan.ts';

const code = (expected: string) => (error: unknown) => {
  assert.ok(error instanceof PorticoError);
  assert.equal(error.code, expected);
  assert.equal(error.status, 409);
  return true;
};

describe('plan rules', () => {
  it('lets a draft plan be edited', () => {
    assert.doesNotThrow(() => assertPlanEditable({ status: 'draft', name: 'Gold', planVersion: 1 }));
  });

  it('refuses to edit a locked plan and points to a new version', () => {
    assert.throws(() => assertPlanEditable({ status: 'locked', name: 'Gold', planVersion: 3 }), code('PORTICO_PLAN_LOCKED'));
    assert.throws(() => assertPlanEditable({ status: 'locked', name: 'Gold', planVersion: 3 }), /Plan "Gold" version 3 is locked; create a new version \(POST .*\/versions\)/);
  });

  it('accepts a locked plan for contracts', () => {
    assert.doesNotThrow(() => assertPlanLocked({ status: 'locked', name: 'Gold' }));
  });

  it('refuses a draft plan for contracts with PORTICO_PLAN_NOT_LOCKED', () => {
    assert.throws(() => assertPlanLocked({ status: 'draft', name: 'Gold' }), code('PORTICO_PLAN_NOT_LOCKED'));
    assert.throws(() => assertPlanLocked({ status: 'draft', name: 'Gold' }), /Plan "Gold" must be locked/);
  });
});
