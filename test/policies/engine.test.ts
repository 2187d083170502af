import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { policyBed, type PolicyBed } from './helpers.ts';

describe('policy engine through the gateway', () => {
  let bed: PolicyBed;
  before(async () => {
    bed = await policyBed();
  });
  after(() => bed.close());

  it('runs request policies in scope order: global, then API, then operation', async () => {
    bed.use([
      { type: 'set-header', config: { name: 'X-Order', value: 'api' } },
      { type: 'set-header', config: { name: 'X-Order', value: 'global' }, scope: 'global' },
      { type: 'set-header', config: { name: 'X-Global-Only', value: 'yes' }, scope: 'global' },
    ]);
    const res = await fetch(`${bed.url}/t/x`);
    const seen = (await res.json()) as { headers: Record<string, string> };
    assert.equal(res.status, 200);
    // API scope runs after global: its value wins.
    assert.equal(seen.headers['x-order'], 'api');
    assert.equal(seen.headers['x-global-only'], 'yes');
  });

  it('runs response policies on the backend answer and removes headers', async () => {
    bed.use([
      { type: 'set-header', config: { name: 'X-Added', value: 'out', phase: 'response' } },
      { type: 'set-header', config: { name: 'Content-Type', value: null, phase: 'response' } },
    ]);
    const res = await fetch(`${bed.url}/t/x`);
    assert.equal(res.headers.get('x-added'), 'out');
    assert.equal(res.headers.get('content-type'), null);
    const body = (await res.json()) as { url: string };
    assert.equal(body.url, '/x');
  });

  it('refuses every call of a chain whose policy cannot be compiled, instead of skipping it', async () => {
    bed.use([{ type: 'no-such-policy', config: {} }]);
    const res = await fetch(`${bed.url}/t/x`);
    assert.equal(res.status, 500);
    const problem = (await res.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'PORTICO_POLICY_FAILED');
    assert.match(problem.detail, /no-such-policy/);
  });

  it('streams request bodies when no policy reads them', async () => {
    bed.use([{ type: 'set-header', config: { name: 'X-A', value: '1' } }]);
    const res = await fetch(`${bed.url}/t/upload`, { method: 'POST', body: 'hello world', headers: { 'content-type': 'text/plain' } });
    const seen = (await res.json()) as { body: string; headers: Record<string, string> };
    assert.equal(seen.body, 'hello world');
    assert.equal(seen.headers['x-a'], '1');
  });
});
