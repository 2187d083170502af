import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pointers, policyBed, type PolicyBed } from './helpers.ts';

interface Echo {
  url: string;
  body: string;
  headers: Record<string, string>;
}

describe('control flow: choose, set-variable, return-response', () => {
  let bed: PolicyBed;
  before(async () => {
    bed = await policyBed();
  });
  after(() => bed.close());

  const tiered = [
    { type: 'set-variable', config: { name: 'tier', value: '"x-tier" in request.headers ? request.headers["x-tier"] : "standard"' } },
    {
      type: 'choose',
      config: {
        when: [
          { condition: 'vars.tier == "gold"', policies: [{ type: 'set-header', config: { name: 'X-Lane', value: 'fast' } }] },
          { condition: 'vars.tier == "blocked"', policies: [{ type: 'return-response', config: { status: 403, contentType: 'application/json', body: '{"tier":"{{vars.tier}}"}', headers: { 'X-Why': 'tier {{vars.tier}}' } } }] },
        ],
        otherwise: [{ type: 'set-header', config: { name: 'X-Lane', value: '{{vars.tier}}' } }],
      },
    },
  ];

  it('takes the first branch whose condition holds', async () => {
    bed.use(tiered);
    const gold = (await (await fetch(`${bed.url}/t/a`, { headers: { 'x-tier': 'gold' } })).json()) as Echo;
    assert.equal(gold.headers['x-lane'], 'fast');
    const plain = (await (await fetch(`${bed.url}/t/a`)).json()) as Echo;
    assert.equal(plain.headers['x-lane'], 'standard');
  });

  it('answers without calling the backend on return-response, with rendered headers and body', async () => {
    bed.use(tiered);
    const res = await fetch(`${bed.url}/t/a`, { headers: { 'x-tier': 'blocked' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-why'), 'tier blocked');
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { tier: 'blocked' });
  });

  it('still runs response policies of the scopes that ran on a policy answer', async () => {
    bed.use([
      { type: 'set-header', config: { name: 'X-Seen', value: 'yes', phase: 'response' }, scope: 'global' },
      { type: 'return-response', config: { status: 200, body: 'mocked' } },
    ]);
    const res = await fetch(`${bed.url}/t/a`);
    assert.equal(await res.text(), 'mocked');
    assert.equal(res.headers.get('x-seen'), 'yes');
  });

  it('refuses a call whose condition cannot be evaluated, naming the policy, instead of taking it as false', async () => {
    bed.use([{ type: 'choose', config: { when: [{ condition: 'request.headers["x-missing"] == "1"', policies: [{ type: 'return-response', config: { status: 204 } }] }] } }]);
    const res = await fetch(`${bed.url}/t/a`);
    assert.equal(res.status, 500);
    const problem = (await res.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'PORTICO_POLICY_FAILED');
    assert.match(problem.detail, /choose/);
  });

  it('refuses bad configs with a pointer into nested policies', () => {
    assert.deepEqual(pointers('choose', { when: [{ condition: 'true', policies: [{ type: 'set-header', config: { name: 'X', value: '{{ nope( }}' } }] }] }), [
      '/config/when/0/policies/0/config/value',
    ]);
    assert.deepEqual(pointers('choose', { when: [{ condition: 'true', policies: [{ type: 'set-header', config: { name: 'X' } }] }] }), [
      '/config/when/0/policies/0/config',
    ]);
    assert.deepEqual(pointers('choose', { when: [{ condition: 'request.nope', policies: [] }] }), ['/config/when/0/condition']);
    assert.deepEqual(pointers('choose', { when: [{ condition: 'true', policies: [{ type: 'nope', config: {} }] }] }), ['/config/when/0/policies/0/type']);
    assert.deepEqual(pointers('set-variable', { name: '1x', value: 'true' }), ['/config/name']);
    assert.deepEqual(pointers('return-response', { status: 99 }), ['/config/status']);
    assert.deepEqual(pointers('return-response', { status: 200, headers: { 'Bad Header': 'x' } }), ['/config/headers']);
  });
});
