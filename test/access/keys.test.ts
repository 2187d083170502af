// API keys through a real gateway node following a real control plane: every refusal code, what
// reaches the backend, and key rotation under load.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { revealNamedValue } from '../../src/services/named-values.ts';
import { buildSnapshot } from '../../src/snapshot/index.ts';
import { tables } from '../../src/store/index.ts';
import { codeOf, get, startAccessWorld, type AccessWorld } from './setup.ts';

describe('API keys on the gateway', () => {
  let w: AccessWorld;
  let apiId: string;
  let app: Awaited<ReturnType<AccessWorld['application']>>;
  let product: { productId: string; planId: string };
  const base = '/organizations/keys';

  before(async () => {
    w = await startAccessWorld('keys');
    apiId = await w.api({ name: 'Orders', basePath: '/orders' });
    await w.api({ name: 'Public', basePath: '/open', visibility: 'public' });
    await w.api({ name: 'Query keys', basePath: '/q', apiKeyQueryParam: 'api-key', identityHeaders: { application: 'X-App' } });
    await w.api({ name: 'Forwarding', basePath: '/fwd', apiKeyHeader: 'Ocp-Apim-Subscription-Key', forwardApiKey: true });
    product = await w.product([apiId]);
    app = await w.application('Mobile');
    assert.equal((await w.contract(app.id, product.productId, product.planId)).status, 'active');
    await w.synced();
  });
  after(() => w?.close());

  it('answers 401 PORTICO_KEY_MISSING without a key, with problem+json', async () => {
    const r = await get(w.gateway, '/orders/1');
    assert.equal(r.status, 401);
    assert.equal(codeOf(r), 'PORTICO_KEY_MISSING');
    assert.match(String(r.headers['content-type']), /application\/problem\+json/);
  });

  it('answers 401 PORTICO_KEY_INVALID for an unknown key, without echoing it', async () => {
    const r = await get(w.gateway, '/orders/1', { 'X-API-Key': 'pk_not-a-key' });
    assert.equal(r.status, 401);
    assert.equal(codeOf(r), 'PORTICO_KEY_INVALID');
    assert.ok(!JSON.stringify(r.body).includes('pk_not-a-key'));
  });

  it('forwards a call with the primary and with the secondary key, key stripped, identity set, forged identity removed', async () => {
    for (const key of [app.primary, app.secondary]) {
      const r = await get(w.gateway, '/orders/7?x=1', { 'x-api-key': key, 'X-Portico-Application': 'forged', 'x-portico-user': 'forged' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const h = r.body.headers as Record<string, string>;
      assert.equal(r.body.path, '/7');
      assert.deepEqual(r.body.query, { x: '1' });
      assert.equal(h['x-api-key'], undefined, 'the key is stripped');
      assert.equal(h['x-portico-application'], app.id);
      assert.equal(h['x-portico-plan'], 'Gold;version=1');
      assert.equal(h['x-portico-user'], undefined, 'no owner: no user header, and the forged one is gone');
    }
  });

  it('serves public APIs with no key, and removes client-sent identity headers there too', async () => {
    const r = await get(w.gateway, '/open/x', { 'X-Portico-Application': 'forged' });
    assert.equal(r.status, 200);
    assert.equal(r.body.headers['x-portico-application'], undefined);
  });

  it('answers 403 PORTICO_NO_CONTRACT for a valid key without a contract covering the API', async () => {
    const other = await w.application('No contract');
    await w.synced();
    const r = await get(w.gateway, '/orders/1', { 'X-API-Key': other.primary });
    assert.equal(r.status, 403);
    assert.equal(codeOf(r), 'PORTICO_NO_CONTRACT');
  });

  it('takes the key from the allowed query parameter and strips it before forwarding', async () => {
    const qProduct = await w.product([(await w.admin.get(`${base}/apis?limit=200`)).body.items.find((a: { basePath: string }) => a.basePath === '/q').id]);
    await w.contract(app.id, qProduct.productId, qProduct.planId);
    await w.synced();
    const r = await get(w.gateway, `/q/items?a=1&api-key=${encodeURIComponent(app.primary)}&b=2`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.query, { a: '1', b: '2' });
    assert.equal(r.body.headers['x-app'], app.id, 'custom identity header name');
    assert.equal((await get(w.gateway, '/orders/1?api-key=' + encodeURIComponent(app.primary))).status, 401, 'query keys only where allowed');
  });

  it('forwards the key when the API asks for it, under its own header name', async () => {
    const fwdId = (await w.admin.get(`${base}/apis?limit=200`)).body.items.find((a: { basePath: string }) => a.basePath === '/fwd').id;
    const fProduct = await w.product([fwdId]);
    await w.contract(app.id, fProduct.productId, fProduct.planId);
    await w.synced();
    const r = await get(w.gateway, '/fwd/x', { 'Ocp-Apim-Subscription-Key': app.secondary });
    assert.equal(r.status, 200);
    assert.equal(r.body.headers['ocp-apim-subscription-key'], app.secondary);
    assert.equal((await get(w.gateway, '/fwd/x', { 'X-API-Key': app.secondary })).status, 401);
  });

  it('refuses each contract status with its own 403 code, and lets an active one through', async () => {
    const manual = await w.product([apiId], { approval: 'manual' });
    const dev = await w.application('Contract states');
    const contract = await w.contract(dev.id, manual.productId, manual.planId);
    assert.equal(contract.status, 'pending');
    const expect = async (code: string | null) => {
      await w.synced();
      const r = await get(w.gateway, '/orders/1', { 'X-API-Key': dev.primary });
      if (code === null) assert.equal(r.status, 200, JSON.stringify(r.body));
      else {
        assert.equal(r.status, 403);
        assert.equal(codeOf(r), code);
      }
    };
    const act = async (id: string, action: string) => assert.equal((await w.admin.post(`${base}/contracts/${id}/${action}`)).status, 200);
    await expect('PORTICO_CONTRACT_PENDING');
    await act(contract.id, 'approve');
    await expect(null);
    await act(contract.id, 'suspend');
    await expect('PORTICO_CONTRACT_SUSPENDED');
    await act(contract.id, 'resume');
    await expect(null);
    await act(contract.id, 'cancel');
    await expect('PORTICO_CONTRACT_CANCELLED');
    const again = await w.contract(dev.id, manual.productId, manual.planId);
    await act(again.id, 'reject');
    await expect('PORTICO_CONTRACT_REJECTED'); // of a cancelled and a rejected one, the rejected (closer to access) is reported
  });

  it('ignores contracts on unpublished products', async () => {
    const p2 = await w.product([apiId]);
    const a2 = await w.application('Unpublished');
    await w.contract(a2.id, p2.productId, p2.planId);
    await w.synced();
    assert.equal((await get(w.gateway, '/orders/1', { 'X-API-Key': a2.primary })).status, 200);
    const current = await w.admin.get(`${base}/products/${p2.productId}`);
    assert.equal((await w.admin.patch(`${base}/products/${p2.productId}`, { state: 'draft' }, { 'if-match': current.headers.get('etag')! })).status, 200);
    await w.synced();
    assert.equal(codeOf(await get(w.gateway, '/orders/1', { 'X-API-Key': a2.primary })), 'PORTICO_NO_CONTRACT');
  });

  it('rotates keys under load with zero failed calls: the other key keeps working', async () => {
    const rot = await w.application('Rotation');
    await w.contract(rot.id, product.productId, product.planId);
    await w.synced();
    let stop = false;
    let calls = 0;
    const failures: string[] = [];
    let current = rot.secondary;
    const load = async () => {
      while (!stop) {
        const r = await get(w.gateway, '/orders/1', { 'X-API-Key': current });
        calls++;
        if (r.status !== 200) failures.push(`${r.status} ${codeOf(r)}`);
      }
    };
    const workers = Array.from({ length: 8 }, load);
    // The client calls with the secondary key while the primary is replaced, then switches to the
    // new primary and the secondary is replaced: the classic two-key rotation.
    const newPrimary = (await w.admin.post(`${base}/applications/${rot.id}/keys/primary/regenerate`)).body.primary as string;
    await w.synced();
    current = newPrimary;
    await new Promise((r) => setTimeout(r, 100));
    const newSecondary = (await w.admin.post(`${base}/applications/${rot.id}/keys/secondary/regenerate`)).body.secondary as string;
    await w.synced();
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(workers);
    assert.deepEqual(failures, [], `${failures.length} of ${calls} calls failed`);
    assert.ok(calls > 50, `only ${calls} calls`);
    assert.equal(codeOf(await get(w.gateway, '/orders/1', { 'X-API-Key': rot.primary })), 'PORTICO_KEY_INVALID', 'the old primary is gone');
    assert.equal(codeOf(await get(w.gateway, '/orders/1', { 'X-API-Key': rot.secondary })), 'PORTICO_KEY_INVALID', 'the old secondary is gone');
    assert.equal((await get(w.gateway, '/orders/1', { 'X-API-Key': newSecondary })).status, 200);
  });

  it('puts keys in the snapshot only as hashes, linear in size', async () => {
    const store = w.p.cp.services.store;
    const snapshot = await buildSnapshot(store, async (org, name, tx) => {
      const nv = await tables.namedValues.findBy(tx, { organization_id: org, name });
      return nv ? revealNamedValue(w.p.cp.services.sealer, nv.entity) : null;
    });
    const text = JSON.stringify(snapshot);
    assert.ok(!text.includes(app.primary) && !text.includes(app.secondary), 'no key in clear');
    const consumer = snapshot.consumers!.find((c) => c.applicationId === app.id)!;
    assert.equal(consumer.keyHashes.length, 2);
    assert.ok(consumer.contracts.every((c) => typeof c.productId === 'string' && !('apiIds' in c)), 'contracts name products, do not copy them');
    assert.equal(snapshot.apis.find((a) => a.id === apiId)!.apiKey!.header, 'X-API-Key');
  });
});
