import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';
import { DIALECTS } from '../helpers/stores.ts';
import { seedCatalog } from '../helpers/fixtures.ts';

for (const dialect of DIALECTS) {
  describe(`quickstart flow on ${dialect}`, () => {
    let p: TestPortico;
    before(async () => {
      p = await startTestPortico(dialect);
    });
    after(async () => p.close());

    it('creates an active contract on a locked plan of a published product', async () => {
      const { product, plan, app } = await seedCatalog(p.admin, 'acme');
      const contract = await p.admin.post('/organizations/acme/contracts', { applicationId: app.id, productId: product.id, planId: plan.id });
      assert.equal(contract.status, 201, JSON.stringify(contract.body));
      assert.equal(contract.body.status, 'active');
    });
  });
}
