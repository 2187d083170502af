import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisCounterStore } from '../../src/gateway/limits/index.ts';
import { startAccessWorld, type AccessWorld } from '../access/setup.ts';
import { startTestPortico } from '../helpers/control-plane.ts';
import { dropNamespace, freshNamespace, SHARED_REDIS_URL } from './redis-helpers.ts';

describe('application usage in the management API, read from the Redis the gateways share', () => {
  const namespace = freshNamespace();
  let reader: RedisCounterStore;
  let w: AccessWorld;
  let app: { id: string; primary: string };
  let contractId: string;
  let base: string;

  before(async () => {
    reader = new RedisCounterStore({ redis: SHARED_REDIS_URL, namespace });
    await reader.ready();
    w = await startAccessWorld('usage', { usage: { counters: reader, coverage: 'shared' }, limits: { redisUrl: SHARED_REDIS_URL, redisMode: 'strict', redisNamespace: namespace, persistFile: null } });
    const apiId = await w.api({ name: 'Orders', basePath: '/orders', visibility: 'private' });
    const org = `/organizations/${w.org}`;
    const productId = (await w.admin.post(`${org}/products`, { name: 'Metered', state: 'published', approval: 'auto', apiIds: [apiId] })).body.id as string;
    const planId = (await w.admin.post(`${org}/products/${productId}/plans`, { name: 'Starter' })).body.id as string;
    assert.equal((await w.admin.post(`${org}/policies`, { scope: { type: 'plan', id: planId }, type: 'rate-limit', config: { limit: 10, per: 'minute' } })).status, 201);
    assert.equal((await w.admin.post(`${org}/policies`, { scope: { type: 'plan', id: planId }, type: 'quota', config: { limit: 50, period: 'day' }, position: 1 })).status, 201);
    assert.equal((await w.admin.post(`${org}/products/${productId}/plans/${planId}/lock`)).status, 200);
    app = await w.application('metered-app');
    contractId = (await w.contract(app.id, productId, planId)).id;
    base = `${org}/applications/${app.id}/usage`;
    await w.synced();
  });
  after(async () => {
    await w.close();
    await reader.close();
    await dropNamespace(namespace);
  });

  const call = () => fetch(`${w.gateway}/orders/x`, { headers: { 'x-api-key': app.primary } });

  it('shows the calls a gateway counted against each limit of the contract, and an administrator resets them', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await call()).status, 200);
    const usage = await w.admin.get(base);
    assert.equal(usage.status, 200, JSON.stringify(usage.body));
    assert.equal(usage.body.coverage, 'shared');
    const rows = (usage.body.limits as { type: string; contractId: string; limit: number; used: number; remaining: number }[]).map((l) => [l.type, l.contractId, l.limit, Math.round(l.used)]);
    assert.deepEqual(rows.sort(), [
      ['quota', contractId, 50, 3],
      ['rate-limit', contractId, 10, 3],
    ]);

    const developer = await w.p.serviceClient(w.org, 'developer');
    assert.equal((await developer.post(`${base}/reset`, {})).status, 403);
    const reset = await w.admin.post(`${base}/reset`, { contractId });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assert.ok(reset.body.removed >= 2);
    const next = await call();
    assert.equal(next.headers.get('ratelimit-remaining'), '9');
  });

  it('answers 404 for a contract the application does not have', async () => {
    const r = await w.admin.post(`${base}/reset`, { contractId: 'ctr_nope' });
    assert.equal(r.status, 404);
  });
});

describe('application usage without access to the counters', () => {
  it('answers 503 PORTICO_LIMITS_UNAVAILABLE when the control plane has no counter store to read', async () => {
    const p = await startTestPortico('sqlite');
    try {
      assert.equal((await p.admin.post('/organizations', { id: 'blind', name: 'blind' })).status, 201);
      const appId = (await p.admin.post('/organizations/blind/applications', { name: 'a' })).body.id as string;
      const r = await p.admin.get(`/organizations/blind/applications/${appId}/usage`);
      assert.equal(r.status, 503);
      assert.equal(r.body.code, 'PORTICO_LIMITS_UNAVAILABLE');
    } finally {
      await p.close();
    }
  });
});
