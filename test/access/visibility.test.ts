import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedInMember, startTestPortico, type Client, type TestPortico } from '../helpers/control-plane.ts';
import { DIALECTS } from '../helpers/stores.ts';

for (const dialect of DIALECTS) {
  describe(`groups decide which products developers see, on ${dialect}`, () => {
    let p: TestPortico;
    let alice: { client: Client; id: string };
    let bob: { client: Client; id: string };
    const ids = {} as Record<'everyoneApi' | 'partnerApi' | 'hiddenApi' | 'publicApi' | 'forDevelopers' | 'forPartners' | 'forGuests' | 'forNobody' | 'draft' | 'partnerPlan', string>;
    const names = (r: { body: { items: { name: string }[] } }) => r.body.items.map((x) => x.name).sort();

    before(async () => {
      p = await startTestPortico(dialect);
      await p.admin.post('/organizations', { id: 'vis', name: 'Visibility' });
      const groups = (await p.admin.get('/organizations/vis/groups')).body.items as { id: string; name: string }[];
      const builtin = (name: string) => groups.find((g) => g.name === name)!.id;
      const partners = await p.admin.post('/organizations/vis/groups', { name: 'partners' });
      const backend = await p.admin.post('/organizations/vis/backends', { name: 'b', targets: [{ url: 'http://127.0.0.1:9' }] });
      const api = async (name: string, visibility: string) => (await p.admin.post('/organizations/vis/apis', { name, basePath: `/vis-${name.toLowerCase()}`, backendId: backend.body.id, visibility })).body.id;
      ids.everyoneApi = await api('Everyone', 'private');
      ids.partnerApi = await api('Partner', 'private');
      ids.hiddenApi = await api('Hidden', 'private');
      ids.publicApi = await api('Open', 'public');
      const product = async (name: string, groupIds: string[], apiIds: string[], state = 'published') => {
        const r = await p.admin.post('/organizations/vis/products', { name, state, groupIds, apiIds });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body.id as string;
      };
      ids.forDevelopers = await product('For developers', [builtin('developers')], [ids.everyoneApi]);
      ids.forPartners = await product('For partners', [partners.body.id], [ids.partnerApi]);
      ids.forGuests = await product('For guests', [builtin('guests')], []);
      ids.forNobody = await product('Admins only', [], [ids.hiddenApi]);
      ids.draft = await product('Draft', [builtin('developers')], [], 'draft');
      const plan = await p.admin.post(`/organizations/vis/products/${ids.forPartners}/plans`, { name: 'Partner' });
      await p.admin.post(`/organizations/vis/products/${ids.forPartners}/plans/${plan.body.id}/lock`);
      ids.partnerPlan = plan.body.id;
      alice = await signedInMember(p, 'vis', `alice-vis-${dialect}@example.com`);
      bob = await signedInMember(p, 'vis', `bob-vis-${dialect}@example.com`);
      assert.equal((await p.admin.put(`/organizations/vis/groups/${partners.body.id}/members/${alice.id}`, {})).status, 204);
    });
    after(async () => p.close());

    it('shows a developer the published products of their groups, the developers group and guests', async () => {
      assert.deepEqual(names(await alice.client.get('/organizations/vis/products')), ['For developers', 'For guests', 'For partners']);
      assert.deepEqual(names(await bob.client.get('/organizations/vis/products')), ['For developers', 'For guests']);
    });

    it('shows publishers every product', async () => {
      assert.equal((await p.admin.get('/organizations/vis/products')).body.items.length, 5);
    });

    it('answers 404 for a product, its plans and its subscription outside the developer’s groups', async () => {
      assert.equal((await bob.client.get(`/organizations/vis/products/${ids.forPartners}`)).status, 404);
      assert.equal((await bob.client.get(`/organizations/vis/products/${ids.forPartners}/plans`)).status, 404);
      assert.equal((await bob.client.get(`/organizations/vis/products/${ids.forPartners}/plans/${ids.partnerPlan}`)).status, 404);
      const app = await bob.client.post('/organizations/vis/applications', { name: 'Bob app' });
      const refused = await bob.client.post('/organizations/vis/contracts', { applicationId: app.body.id, productId: ids.forPartners, planId: ids.partnerPlan });
      assert.equal(refused.status, 404);
      const aliceApp = await alice.client.post('/organizations/vis/applications', { name: 'Alice app' });
      const accepted = await alice.client.post('/organizations/vis/contracts', { applicationId: aliceApp.body.id, productId: ids.forPartners, planId: ids.partnerPlan });
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    });

    it('shows a developer the public APIs and the APIs of their visible products only', async () => {
      assert.deepEqual(names(await alice.client.get('/organizations/vis/apis')), ['Everyone', 'Open', 'Partner']);
      assert.deepEqual(names(await bob.client.get('/organizations/vis/apis')), ['Everyone', 'Open']);
      assert.equal((await bob.client.get(`/organizations/vis/apis/${ids.hiddenApi}`)).status, 404);
    });
  });
}
