// Declarative configuration on both dialects: examples/petstore.yaml applied to an empty
// organization, idempotence (no revision, no audit), export → apply elsewhere → same export,
// all-or-nothing, locked plans changing through new versions, prune.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PorticoError } from '../../src/core/errors.ts';
import { applyConfig, diffConfig, exportConfig } from '../../src/services/declarative/reconcile.ts';
import { readConfigFile } from '../../src/services/declarative/file.ts';
import { currentRevision, tables } from '../../src/store/index.ts';
import { DIALECTS } from '../helpers/stores.ts';
import { startTestServices, type TestServices } from '../helpers/services.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/petstore.yaml', import.meta.url));
const ENV = { PETSTORE_TOKEN: 'tok-123' };

async function auditCount(s: TestServices): Promise<number> {
  const row = await s.ctx.store.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const dialect of DIALECTS) {
  describe(`declarative configuration on ${dialect}`, () => {
    let s: TestServices;
    let other: TestServices;
    let file: Awaited<ReturnType<typeof readConfigFile>>;
    before(async () => {
      s = await startTestServices(dialect, ['petstore', 'aon', 'versions']);
      other = await startTestServices(dialect, ['copy']);
      file = await readConfigFile(EXAMPLE, ENV);
    });
    after(async () => {
      await s.close();
      await other.close();
    });

    it('applies examples/petstore.yaml to an empty organization', async () => {
      const diff = await diffConfig(s.ctx, 'petstore', file.document, { env: file.env });
      assert.equal(diff.applied, false);
      assert.equal(await tables.apis.count(s.ctx.store.db, { organization_id: 'petstore' }), 0, 'a diff changes nothing');
      const r = await applyConfig(s.ctx, 'petstore', file.document, { env: file.env });
      assert.equal(r.applied, true);
      assert.deepEqual(r.changes.map((c) => `${c.action} ${c.kind} ${c.name}`), diff.changes.map((c) => `${c.action} ${c.kind} ${c.name}`), 'the diff announced exactly what apply did');
      const apis = await tables.apis.all(s.ctx.store.db, { organization_id: 'petstore' });
      const pets = apis.find((a) => a.name === 'Petstore')!;
      assert.deepEqual(pets.operations.map((o) => `${o.method} ${o.path}`).sort(), ['DELETE /pets/{petId}', 'GET /pets', 'GET /pets/{petId}', 'POST /pets']);
      const plans = await tables.plans.all(s.ctx.store.db, { organization_id: 'petstore' });
      assert.deepEqual(plans.map((p) => `${p.name}:${p.status}`).sort(), ['Bronze:locked', 'Gold:locked', 'Partner:locked', 'Silver:locked']);
      const gold = plans.find((p) => p.name === 'Gold')!;
      const quota = await tables.policies.all(s.ctx.store.db, { scope_type: 'plan', scope_id: gold.id });
      assert.deepEqual(quota.map((p) => p.config), [{ limit: 10000, period: 'day' }]);
      const contracts = await tables.contracts.all(s.ctx.store.db, { organization_id: 'petstore' });
      assert.deepEqual(contracts.map((c) => c.status).sort(), ['active', 'active'], 'the manual-approval contract is approved as the file says');
      const secret = await tables.namedValues.findBy(s.ctx.store.db, { organization_id: 'petstore', name: 'petstore-token' });
      assert.equal(secret?.entity.secret, true);
      assert.equal(secret?.entity.value, null);
    });

    it('is idempotent: a second apply changes nothing, bumps no revision and writes no audit', async () => {
      const revision = await currentRevision(s.ctx.store.db);
      const audits = await auditCount(s);
      const again = await applyConfig(s.ctx, 'petstore', (await readConfigFile(EXAMPLE, ENV)).document, { env: ENV });
      assert.deepEqual(again.changes, []);
      assert.equal(again.applied, false);
      assert.equal(await currentRevision(s.ctx.store.db), revision);
      assert.equal(await auditCount(s), audits);
      const exported = await exportConfig(s.ctx, 'petstore');
      const third = await applyConfig(s.ctx, 'petstore', exported, { env: ENV });
      assert.deepEqual(third.changes, [], 'the export applies as no change');
    });

    it('round-trips: export → apply on an empty installation → the same export', async () => {
      const exported = await exportConfig(s.ctx, 'petstore');
      assert.ok(!JSON.stringify(exported).includes('tok-123'), 'secrets are never exported');
      const r = await applyConfig(other.ctx, 'copy', exported, { env: ENV });
      assert.equal(r.applied, true);
      const copy = await exportConfig(other.ctx, 'copy');
      assert.deepEqual({ ...copy, organization: 'petstore' }, exported);
    });

    it('is all-or-nothing: a failure late in the document leaves the store as it was', async () => {
      const revision = await currentRevision(s.ctx.store.db);
      const audits = await auditCount(s);
      const doc = structuredClone(file.document) as any;
      for (const a of doc.apis) a.basePath = `/aon${a.basePath}`; // base paths are unique in the installation
      doc.contracts.push({ application: 'Pet Shop Mobile', product: 'Status', plan: 'Nope' });
      await assert.rejects(applyConfig(s.ctx, 'aon', doc, { env: ENV }), (e: PorticoError) => e.code === 'PORTICO_VALIDATION_FAILED' && /no plan named "Nope"/.test(e.message));
      assert.equal(await tables.backends.count(s.ctx.store.db, { organization_id: 'aon' }), 0);
      assert.equal(await tables.apis.count(s.ctx.store.db, { organization_id: 'aon' }), 0);
      assert.equal(await currentRevision(s.ctx.store.db), revision);
      assert.equal(await auditCount(s), audits);
      await assert.rejects(applyConfig(s.ctx, 'aon', { portico: 1, namedValues: [{ name: 'x', secret: true, value: 'plain' }] }), (e: PorticoError) => e.code === 'PORTICO_VALIDATION_FAILED', 'plain secrets are refused');
      await assert.rejects(applyConfig(s.ctx, 'aon', file.document, { env: {} }), (e: PorticoError) => e.code === 'PORTICO_VALIDATION_FAILED' && /PETSTORE_TOKEN/.test(e.message));
    });

    it('changes a locked plan through a new version, and prunes what the document omits', async () => {
      const base = {
        portico: 1,
        backends: [{ name: 'b', targets: [{ url: 'http://127.0.0.1:9' }] }, { name: 'old', targets: [{ url: 'http://127.0.0.1:9' }] }],
        apis: [{ name: 'A', basePath: '/versions-a', backend: 'b', operations: [{ method: 'GET', path: '/x' }] }],
        products: [{ name: 'P', state: 'published', apis: ['A'], plans: [{ name: 'Gold', locked: true, policies: [{ type: 'quota', config: { limit: 10, period: 'day' } }] }] }],
        applications: [{ name: 'App' }],
        contracts: [{ application: 'App', product: 'P', plan: 'Gold' }],
      };
      await applyConfig(s.ctx, 'versions', base);
      const changed = structuredClone(base);
      changed.products[0]!.plans[0]!.policies[0]!.config.limit = 20;
      const diff = await diffConfig(s.ctx, 'versions', changed);
      assert.deepEqual(diff.changes.map((c) => `${c.action} ${c.kind} ${c.name}`), ['new-version plan P/Gold', 'update policies plan "P/Gold"', 'lock plan P/Gold']);
      await applyConfig(s.ctx, 'versions', changed);
      const versions = (await tables.plans.all(s.ctx.store.db, { organization_id: 'versions' })).sort((a, b) => a.planVersion - b.planVersion);
      assert.deepEqual(versions.map((v) => `${v.planVersion}:${v.status}`), ['1:locked', '2:locked']);
      const [contract] = await tables.contracts.all(s.ctx.store.db, { organization_id: 'versions' });
      assert.equal(contract!.planId, versions[0]!.id, 'the contract stays on the version it signed');
      assert.deepEqual((await applyConfig(s.ctx, 'versions', changed)).changes, []);
      changed.backends = changed.backends.filter((b) => b.name !== 'old');
      assert.deepEqual((await applyConfig(s.ctx, 'versions', changed)).changes, [], 'without prune, what the document omits stays');
      const without = await diffConfig(s.ctx, 'versions', changed, { prune: true });
      assert.deepEqual(without.changes.map((c) => `${c.action} ${c.kind} ${c.name}`), ['delete backend old']);
      await applyConfig(s.ctx, 'versions', changed, { prune: true });
      assert.equal(await tables.backends.count(s.ctx.store.db, { organization_id: 'versions' }), 1);
    });
  });
}
