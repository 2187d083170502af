// Domain rules enforced by the services, against both stores: called directly with a Ctx, no HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { newMasterKey, Sealer, sha256 } from '../../src/core/crypto.ts';
import { PorticoError, type ErrorCode } from '../../src/core/errors.ts';
import { apis } from '../../src/services/apis.ts';
import { applications } from '../../src/services/applications.ts';
import { backends } from '../../src/services/backends.ts';
import { SYSTEM, type Ctx, type Principal } from '../../src/services/context.ts';
import { contracts } from '../../src/services/contracts.ts';
import { namedValuesResource, revealNamedValue } from '../../src/services/named-values.ts';
import { organizations } from '../../src/services/organizations.ts';
import { lockPlan, newPlanVersion, plans } from '../../src/services/plans.ts';
import { policies } from '../../src/services/policies.ts';
import { products } from '../../src/services/products.ts';
import { currentRevision, openStore, tables, type Store } from '../../src/store/index.ts';
import { DIALECTS, freshStore, type TestStore } from '../helpers/stores.ts';

/** Awaits `promise` and checks it fails with a PorticoError of `code`. */
async function rejects(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<PorticoError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof PorticoError, `expected ${code}, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

const TABLES = [
  'organizations',
  'backends',
  'apis',
  'operations',
  'products',
  'product_apis',
  'plans',
  'applications',
  'api_keys',
  'contracts',
  'named_values',
  'policies',
  'audit_events',
] as const;

/** Row counts of every table a rule could touch: "nothing changed" is an equal census. */
async function census(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const row = await store.db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(row.n);
  }
  return out;
}

function publisher(orgId: string): Principal {
  return { kind: 'user', id: `usr_pub_${orgId}`, label: `user:usr_pub_${orgId}`, isAdmin: false, roles: { [orgId]: 'publisher' } };
}

for (const dialect of DIALECTS) {
  describe(`domain rules on ${dialect}`, () => {
    let ts: TestStore;
    let store: Store;
    let ctx: Ctx;

    before(async () => {
      ts = await freshStore(dialect);
      store = await openStore(ts.database, ts.dataDir);
      ctx = { store, sealer: new Sealer(newMasterKey()), clock: systemClock, actor: SYSTEM };
    });
    after(async () => {
      await store?.close();
      await ts?.drop();
    });

    /** An organization with a backend, a private API, a published auto-approval product with a locked plan, and an application. */
    async function catalog(org: string, options: { approval?: 'auto' | 'manual'; lock?: boolean; state?: 'draft' | 'published' } = {}) {
      await organizations.create(ctx, { id: org, name: org });
      const backend = (await backends.create(ctx, org, { name: 'main', targets: [{ url: 'http://127.0.0.1:9/' }] })).entity;
      const api = (await apis.create(ctx, org, { name: 'Orders', basePath: `/${org}`, backendId: backend.id })).entity;
      const product = (await products.create(ctx, org, { name: 'Gold', state: options.state ?? 'published', approval: options.approval ?? 'auto', apiIds: [api.id] })).entity;
      let plan = (await plans.create(ctx, org, { productId: product.id, name: 'Gold' })).entity;
      if (options.lock !== false) plan = (await lockPlan(ctx, org, plan.id)).entity;
      const app = (await applications.create(ctx, org, { name: 'Mobile' })).application;
      return { backend, api, product, plan, app };
    }

    it('keeps a plan draft until locked, then refuses edits with PORTICO_PLAN_LOCKED pointing to a new version', async () => {
      const { product } = await catalog('plan-lock');
      const draft = await plans.create(ctx, 'plan-lock', { productId: product.id, name: 'Silver', description: 'v1' });
      assert.equal(draft.entity.status, 'draft');
      assert.equal(draft.entity.planVersion, 1);
      assert.equal(draft.entity.lockedAt, null);
      const edited = await plans.update(ctx, 'plan-lock', draft.entity.id, { description: 'edited while draft' }, null);
      assert.equal(edited.entity.description, 'edited while draft');
      await policies.create(ctx, 'plan-lock', { scope: { type: 'plan', id: draft.entity.id }, type: 'rate-limit', config: { limit: 5, per: 'minute' } });

      const locked = await lockPlan(ctx, 'plan-lock', draft.entity.id);
      assert.equal(locked.entity.status, 'locked');
      assert.ok(locked.entity.lockedAt);

      const newVersion = /create a new version \(POST \.\.\.\/plans\/\{id\}\/versions\)/;
      await rejects(plans.update(ctx, 'plan-lock', draft.entity.id, { description: 'too late' }, null), 'PORTICO_PLAN_LOCKED', newVersion);
      await rejects(lockPlan(ctx, 'plan-lock', draft.entity.id), 'PORTICO_PLAN_LOCKED', newVersion);
      await rejects(
        policies.create(ctx, 'plan-lock', { scope: { type: 'plan', id: draft.entity.id }, type: 'quota', config: { limit: 100, period: 'week' } }),
        'PORTICO_PLAN_LOCKED',
      );
      const [policy] = await tables.policies.all(store.db, { scope_type: 'plan', scope_id: draft.entity.id });
      assert.ok(policy);
      await rejects(policies.update(ctx, 'plan-lock', policy.id, { config: { limit: 50, per: 'minute' } }, null), 'PORTICO_PLAN_LOCKED');
      await rejects(policies.delete(ctx, 'plan-lock', policy.id, null), 'PORTICO_PLAN_LOCKED');

      const stored = await plans.get(ctx, 'plan-lock', draft.entity.id);
      assert.equal(stored.entity.description, 'edited while draft');
      assert.equal((await tables.policies.all(store.db, { scope_type: 'plan', scope_id: draft.entity.id })).length, 1);
    });

    it('creates a new plan version as a draft with planVersion+1 and copies of the plan policies', async () => {
      const { product, plan } = await catalog('plan-version', { lock: false });
      await policies.create(ctx, 'plan-version', { scope: { type: 'plan', id: plan.id }, type: 'rate-limit', config: { limit: 5, per: 'minute' } });
      await policies.create(ctx, 'plan-version', { scope: { type: 'plan', id: plan.id }, type: 'quota', config: { limit: 100, period: 'week' }, position: 1 });
      await lockPlan(ctx, 'plan-version', plan.id);

      const v2 = (await newPlanVersion(ctx, 'plan-version', plan.id)).entity;
      assert.notEqual(v2.id, plan.id);
      assert.equal(v2.planVersion, 2);
      assert.equal(v2.status, 'draft');
      assert.equal(v2.lockedAt, null);
      assert.equal(v2.name, plan.name);
      assert.equal(v2.productId, product.id);

      const strip = (p: { type: string; config: unknown; position: number; enabled: boolean }) => ({ type: p.type, config: p.config, position: p.position, enabled: p.enabled });
      const original = await tables.policies.all(store.db, { scope_type: 'plan', scope_id: plan.id });
      const copied = await tables.policies.all(store.db, { scope_type: 'plan', scope_id: v2.id });
      assert.equal(copied.length, 2);
      assert.deepEqual(copied.map(strip).sort((a, b) => a.position - b.position), original.map(strip).sort((a, b) => a.position - b.position));
      assert.ok(copied.every((p) => !original.some((o) => o.id === p.id)), 'copies get their own ids');

      // The new version is editable; the original stays locked and unchanged.
      await plans.update(ctx, 'plan-version', v2.id, { description: 'cheaper' }, null);
      await policies.update(ctx, 'plan-version', copied[0]!.id, { enabled: false }, null);
      assert.equal((await plans.get(ctx, 'plan-version', plan.id)).entity.status, 'locked');
      assert.deepEqual((await tables.policies.all(store.db, { scope_type: 'plan', scope_id: plan.id })).map(strip), original.map(strip));

      // Versions count from the newest one, whichever version is the source.
      const v3 = (await newPlanVersion(ctx, 'plan-version', plan.id)).entity;
      assert.equal(v3.planVersion, 3);
    });

    it('refuses a contract on an unpublished product or an unlocked plan', async () => {
      const { product, plan, app } = await catalog('contract-rules', { lock: false });
      await rejects(contracts.create(ctx, 'contract-rules', { applicationId: app.id, productId: product.id, planId: plan.id }), 'PORTICO_PLAN_NOT_LOCKED');
      await lockPlan(ctx, 'contract-rules', plan.id);

      const draftProduct = (await products.create(ctx, 'contract-rules', { name: 'Draft', state: 'draft', apiIds: [] })).entity;
      const draftPlan = (await plans.create(ctx, 'contract-rules', { productId: draftProduct.id, name: 'Draft' })).entity;
      await lockPlan(ctx, 'contract-rules', draftPlan.id);
      await rejects(contracts.create(ctx, 'contract-rules', { applicationId: app.id, productId: draftProduct.id, planId: draftPlan.id }), 'PORTICO_PRODUCT_NOT_PUBLISHED');
      assert.equal(await tables.contracts.count(store.db, { application_id: app.id }), 0);

      const ok = await contracts.create(ctx, 'contract-rules', { applicationId: app.id, productId: product.id, planId: plan.id });
      assert.equal(ok.entity.status, 'active');
      await rejects(contracts.create(ctx, 'contract-rules', { applicationId: app.id, productId: product.id, planId: plan.id }), 'PORTICO_CONTRACT_EXISTS');
    });

    it('starts contracts as pending under manual approval and active under auto approval', async () => {
      const { product: manual, plan: manualPlan, app } = await catalog('approval', { approval: 'manual' });
      const autoProduct = (await products.create(ctx, 'approval', { name: 'Auto', state: 'published', approval: 'auto', apiIds: [] })).entity;
      const autoPlan = (await lockPlan(ctx, 'approval', (await plans.create(ctx, 'approval', { productId: autoProduct.id, name: 'Auto' })).entity.id)).entity;

      const pending = await contracts.create(ctx, 'approval', { applicationId: app.id, productId: manual.id, planId: manualPlan.id });
      assert.equal(pending.entity.status, 'pending');
      const active = await contracts.create(ctx, 'approval', { applicationId: app.id, productId: autoProduct.id, planId: autoPlan.id });
      assert.equal(active.entity.status, 'active');

      const approved = await contracts.transition(ctx, 'approval', pending.entity.id, 'approve');
      assert.equal(approved.entity.status, 'active');
      await rejects(contracts.transition(ctx, 'approval', pending.entity.id, 'approve'), 'PORTICO_INVALID_TRANSITION');
      assert.equal((await contracts.get(ctx, 'approval', pending.entity.id)).entity.status, 'active');
    });

    it('refuses a contract on a product holding only public APIs with PORTICO_PUBLIC_API', async () => {
      const { backend, app } = await catalog('public-api');
      const open = (await apis.create(ctx, 'public-api', { name: 'Open', basePath: '/public-api-open', backendId: backend.id, visibility: 'public' })).entity;
      const product = (await products.create(ctx, 'public-api', { name: 'Free', state: 'published', apiIds: [open.id] })).entity;
      const plan = (await lockPlan(ctx, 'public-api', (await plans.create(ctx, 'public-api', { productId: product.id, name: 'Free' })).entity.id)).entity;
      await rejects(contracts.create(ctx, 'public-api', { applicationId: app.id, productId: product.id, planId: plan.id }), 'PORTICO_PUBLIC_API');
      assert.equal(await tables.contracts.count(store.db, { application_id: app.id }), 0);
    });

    it('shares one key pair between all contracts of an application; regenerating one key leaves the other identical', async () => {
      const { product, plan, app } = await catalog('keys');
      const other = (await products.create(ctx, 'keys', { name: 'Other', state: 'published', apiIds: [] })).entity;
      const otherPlan = (await lockPlan(ctx, 'keys', (await plans.create(ctx, 'keys', { productId: other.id, name: 'Other' })).entity.id)).entity;
      const before = await applications.revealKeys(ctx, 'keys', app.id);
      assert.match(before.primary, /^pk_/);
      assert.match(before.secondary, /^pk_/);
      assert.notEqual(before.primary, before.secondary);

      await contracts.create(ctx, 'keys', { applicationId: app.id, productId: product.id, planId: plan.id });
      await contracts.create(ctx, 'keys', { applicationId: app.id, productId: other.id, planId: otherPlan.id });
      const rows = await store.db.selectFrom('api_keys').select(['slot']).where('application_id', '=', app.id).execute();
      assert.deepEqual(rows.map((r) => r.slot).sort(), ['primary', 'secondary']);
      assert.deepEqual(await applications.revealKeys(ctx, 'keys', app.id), before);

      const rotated = await applications.regenerateKey(ctx, 'keys', app.id, 'primary');
      assert.notEqual(rotated.primary, before.primary);
      assert.equal(rotated.secondary, before.secondary);
      const hashes = (await store.db.selectFrom('api_keys').select(['hash']).where('application_id', '=', app.id).execute()).map((r) => r.hash).sort();
      assert.deepEqual(hashes, [sha256(rotated.primary), sha256(rotated.secondary)].sort());

      const again = await applications.regenerateKey(ctx, 'keys', app.id, 'secondary');
      assert.equal(again.primary, rotated.primary);
      assert.notEqual(again.secondary, rotated.secondary);
    });

    it('stores keys sealed, never in clear, and finds them by their sha256 hash', async () => {
      await organizations.create(ctx, { id: 'sealed', name: 'sealed' });
      const demoKey = `pk_demo_${dialect}_fixed_key_value`;
      const created = await applications.create(ctx, 'sealed', { name: 'Demo' }, { primaryKey: demoKey });
      const rotated = await applications.regenerateKey(ctx, 'sealed', created.application.id, 'secondary');
      assert.equal(rotated.primary, demoKey);

      const keyRows = await store.db.selectFrom('api_keys').selectAll().execute();
      const auditRows = await store.db.selectFrom('audit_events').selectAll().execute();
      const appRows = await store.db.selectFrom('applications').selectAll().execute();
      for (const key of [demoKey, rotated.secondary]) {
        for (const [what, rows] of [['api_keys', keyRows], ['audit_events', auditRows], ['applications', appRows]] as const) {
          assert.ok(!JSON.stringify(rows).includes(key), `${what} holds the raw key`);
        }
        const found = await store.db.selectFrom('api_keys').select(['application_id', 'sealed']).where('hash', '=', sha256(key)).executeTakeFirst();
        assert.equal(found?.application_id, created.application.id);
        assert.equal(ctx.sealer.open(found!.sealed), key);
      }
      // The OAuth client secret is kept as a hash only.
      assert.ok(!JSON.stringify(appRows).includes(created.clientSecret));
      assert.ok(JSON.stringify(appRows).includes(sha256(created.clientSecret)));
    });

    it('refuses a duplicate demo key across applications with 409 and leaves no partial rows nor a revision bump', async () => {
      await organizations.create(ctx, { id: 'dup-key', name: 'dup-key' });
      const key = `pk_duplicate_${dialect}`;
      await applications.create(ctx, 'dup-key', { name: 'First' }, { primaryKey: key });
      const counts = await census(store);
      const revision = await currentRevision(store.db);

      const error = await rejects(applications.create(ctx, 'dup-key', { name: 'Second' }, { primaryKey: key }), 'PORTICO_CONFLICT');
      assert.equal(error.status, 409);
      // The application row was inserted before the key failed: the transaction must undo it.
      assert.deepEqual(await census(store), counts);
      assert.equal(await currentRevision(store.db), revision);
      assert.equal(await tables.applications.findBy(store.db, { organization_id: 'dup-key', name: 'Second' }), null);

      // Unique across the installation, not only the organization.
      await organizations.create(ctx, { id: 'dup-key-2', name: 'dup-key-2' });
      const counts2 = await census(store);
      await rejects(applications.create(ctx, 'dup-key-2', { name: 'Elsewhere' }, { primaryKey: key }), 'PORTICO_CONFLICT');
      assert.deepEqual(await census(store), counts2);
    });

    it('refuses to delete what is in use with PORTICO_IN_USE and deletes nothing', async () => {
      const { backend, api, product, plan, app } = await catalog('in-use');
      await contracts.create(ctx, 'in-use', { applicationId: app.id, productId: product.id, planId: plan.id });
      const counts = await census(store);
      const revision = await currentRevision(store.db);

      await rejects(backends.delete(ctx, 'in-use', backend.id, null), 'PORTICO_IN_USE', /used by 1 API$/);
      await rejects(apis.delete(ctx, 'in-use', api.id, null), 'PORTICO_IN_USE', /used by 1 product$/);
      await rejects(plans.delete(ctx, 'in-use', plan.id, null), 'PORTICO_IN_USE', /used by 1 contract$/);
      await rejects(applications.delete(ctx, 'in-use', app.id, null), 'PORTICO_IN_USE', /1 open contract/);
      await rejects(products.delete(ctx, 'in-use', product.id, null), 'PORTICO_IN_USE');
      await rejects(organizations.delete(ctx, 'in-use'), 'PORTICO_IN_USE');

      assert.deepEqual(await census(store), counts);
      assert.equal(await currentRevision(store.db), revision);
      for (const [table, id] of [[tables.backends, backend.id], [tables.apis, api.id], [tables.plans, plan.id], [tables.applications, app.id], [tables.products, product.id]] as const) {
        assert.ok(await table.find(store.db, id), `${table.table} ${id} still exists`);
      }
      assert.equal((await store.db.selectFrom('api_keys').select('hash').where('application_id', '=', app.id).execute()).length, 2);

      // Once nothing uses them any more, they go, in dependency order, with what they own.
      const [contract] = await tables.contracts.all(store.db, { application_id: app.id });
      await contracts.transition(ctx, 'in-use', contract!.id, 'cancel');
      await applications.delete(ctx, 'in-use', app.id, null);
      assert.equal((await store.db.selectFrom('api_keys').select('hash').where('application_id', '=', app.id).execute()).length, 0);
      assert.equal(await tables.contracts.count(store.db, { application_id: app.id }), 0);
      await plans.delete(ctx, 'in-use', plan.id, null);
      await products.delete(ctx, 'in-use', product.id, null);
      await apis.delete(ctx, 'in-use', api.id, null);
      await backends.delete(ctx, 'in-use', backend.id, null);
      await organizations.delete(ctx, 'in-use');
      assert.equal(await tables.organizations.find(store.db, 'in-use'), null);
    });

    it('bumps the config revision exactly once per write and audits it with actor and before/after', async () => {
      await organizations.create(ctx, { id: 'audit', name: 'audit' });
      const pub: Ctx = { ...ctx, actor: publisher('audit') };

      const step = async <T>(work: () => Promise<T>, expect: { action: string; entityType: string; before: boolean; after: boolean }) => {
        const revision = await currentRevision(store.db);
        const auditBefore = await store.db.selectFrom('audit_events').select('id').execute();
        const result = await work();
        assert.equal(await currentRevision(store.db), revision + 1, `${expect.action} ${expect.entityType} bumps the revision once`);
        const known = new Set(auditBefore.map((r) => r.id));
        const rows = (await store.db.selectFrom('audit_events').selectAll().execute()).filter((r) => !known.has(r.id));
        assert.equal(rows.length, 1, `${expect.action} ${expect.entityType} writes one audit row`);
        const row = rows[0]!;
        assert.equal(row.actor, 'user:usr_pub_audit');
        assert.equal(row.organization_id, 'audit');
        assert.equal(row.action, expect.action);
        assert.equal(row.entity_type, expect.entityType);
        assert.ok(!Number.isNaN(Date.parse(row.at)));
        assert.equal(row.before !== null, expect.before, `${expect.action} before`);
        assert.equal(row.after !== null, expect.after, `${expect.action} after`);
        return { result, row };
      };

      const created = await step(() => backends.create(pub, 'audit', { name: 'b1', targets: [{ url: 'http://127.0.0.1:9/' }] }), { action: 'create', entityType: 'backend', before: false, after: true });
      const id = created.result.entity.id;
      assert.equal(created.row.entity_id, id);
      assert.equal(JSON.parse(created.row.after!).name, 'b1');

      const updated = await step(() => backends.update(pub, 'audit', id, { description: 'changed' }, created.result.version), { action: 'update', entityType: 'backend', before: true, after: true });
      assert.equal(updated.result.version, 2);
      assert.equal(JSON.parse(updated.row.before!).description, '');
      assert.equal(JSON.parse(updated.row.after!).description, 'changed');

      const product = await step(() => products.create(pub, 'audit', { name: 'P', state: 'published', apiIds: [] }), { action: 'create', entityType: 'product', before: false, after: true });
      const plan = await step(() => plans.create(pub, 'audit', { productId: product.result.entity.id, name: 'P' }), { action: 'create', entityType: 'plan', before: false, after: true });
      const locked = await step(() => lockPlan(pub, 'audit', plan.result.entity.id), { action: 'lock', entityType: 'plan', before: true, after: true });
      assert.equal(JSON.parse(locked.row.before!).status, 'draft');
      assert.equal(JSON.parse(locked.row.after!).status, 'locked');
      await step(() => newPlanVersion(pub, 'audit', plan.result.entity.id), { action: 'new-version', entityType: 'plan', before: true, after: true });

      // Contracts and keys: the application itself is created by the system (a publisher's own apps need a membership row).
      const app = (await applications.create(ctx, 'audit', { name: 'A' })).application;
      const manual = await step(() => products.create(pub, 'audit', { name: 'M', state: 'published', approval: 'manual', apiIds: [] }), { action: 'create', entityType: 'product', before: false, after: true });
      const manualPlan = await step(() => plans.create(pub, 'audit', { productId: manual.result.entity.id, name: 'M' }), { action: 'create', entityType: 'plan', before: false, after: true });
      await step(() => lockPlan(pub, 'audit', manualPlan.result.entity.id), { action: 'lock', entityType: 'plan', before: true, after: true });
      const contract = await step(() => contracts.create(pub, 'audit', { applicationId: app.id, productId: manual.result.entity.id, planId: manualPlan.result.entity.id }), { action: 'create', entityType: 'contract', before: false, after: true });
      assert.equal(JSON.parse(contract.row.after!).status, 'pending');
      const approved = await step(() => contracts.transition(pub, 'audit', contract.result.entity.id, 'approve'), { action: 'approve', entityType: 'contract', before: true, after: true });
      assert.equal(JSON.parse(approved.row.before!).status, 'pending');
      assert.equal(JSON.parse(approved.row.after!).status, 'active');
      await step(() => contracts.transition(pub, 'audit', contract.result.entity.id, 'suspend'), { action: 'suspend', entityType: 'contract', before: true, after: true });
      // Key rotation is audited without the keys (neither before nor after is recorded).
      await step(() => applications.regenerateKey(pub, 'audit', app.id, 'primary'), { action: 'regenerate-primary-key', entityType: 'application', before: false, after: false });
      await step(() => applications.update(pub, 'audit', app.id, { description: 'renamed' }, null), { action: 'update', entityType: 'application', before: true, after: true });

      const deleted = await step(() => backends.delete(pub, 'audit', id, updated.result.version), { action: 'delete', entityType: 'backend', before: true, after: false });
      assert.equal(JSON.parse(deleted.row.before!).description, 'changed');
      assert.equal(await tables.backends.find(store.db, id), null);

      // A refused write neither bumps nor audits.
      const revision = await currentRevision(store.db);
      const counts = await census(store);
      await rejects(backends.create({ ...ctx, actor: { ...publisher('audit'), roles: { audit: 'developer' } } }, 'audit', { name: 'b2', targets: [{ url: 'http://127.0.0.1:9/' }] }), 'PORTICO_FORBIDDEN');
      await rejects(backends.create(pub, 'audit', { name: 'b1', targets: [{ url: 'http://127.0.0.1:9/' }] }).then(() => backends.create(pub, 'audit', { name: 'b1', targets: [{ url: 'http://127.0.0.1:9/' }] })), 'PORTICO_CONFLICT');
      assert.equal(await currentRevision(store.db), revision + 1, 'only the first b1 counted');
      assert.equal((await census(store)).audit_events, counts.audit_events! + 1);
    });

    it('lets exactly one of two concurrent updates with the same expected version win', async () => {
      await organizations.create(ctx, { id: 'race', name: 'race' });
      const b = await backends.create(ctx, 'race', { name: 'b', targets: [{ url: 'http://127.0.0.1:9/' }] });
      const revision = await currentRevision(store.db);
      const results = await Promise.allSettled([
        backends.update(ctx, 'race', b.entity.id, { description: 'left' }, b.version),
        backends.update(ctx, 'race', b.entity.id, { description: 'right' }, b.version),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1, JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))));
      assert.equal(lost.length, 1);
      assert.ok(lost[0]!.reason instanceof PorticoError);
      assert.equal(lost[0]!.reason.code, 'PORTICO_PRECONDITION_FAILED');
      const stored = await backends.get(ctx, 'race', b.entity.id);
      assert.equal(stored.version, b.version + 1);
      assert.equal(stored.entity.description, (won[0] as PromiseFulfilledResult<{ entity: { description: string } }>).value.entity.description);
      assert.equal(await currentRevision(store.db), revision + 1);
      const updates = await store.db.selectFrom('audit_events').select('id').where('entity_id', '=', b.entity.id).where('action', '=', 'update').execute();
      assert.equal(updates.length, 1);

      // A stale version is refused outright too.
      await rejects(backends.update(ctx, 'race', b.entity.id, { description: 'stale' }, b.version), 'PORTICO_PRECONDITION_FAILED');
      await rejects(backends.delete(ctx, 'race', b.entity.id, b.version), 'PORTICO_PRECONDITION_FAILED');
    });

    it('migrates a contract only to a locked version of the same plan', async () => {
      const { product, plan, app } = await catalog('migrate');
      const contract = await contracts.create(ctx, 'migrate', { applicationId: app.id, productId: product.id, planId: plan.id });
      const v2 = (await newPlanVersion(ctx, 'migrate', plan.id)).entity;
      await rejects(contracts.migrate(ctx, 'migrate', contract.entity.id, v2.id), 'PORTICO_PLAN_NOT_LOCKED');
      const other = (await lockPlan(ctx, 'migrate', (await plans.create(ctx, 'migrate', { productId: product.id, name: 'Other' })).entity.id)).entity;
      await rejects(contracts.migrate(ctx, 'migrate', contract.entity.id, other.id), 'PORTICO_NOT_FOUND');
      await lockPlan(ctx, 'migrate', v2.id);
      const migrated = await contracts.migrate(ctx, 'migrate', contract.entity.id, v2.id);
      assert.equal(migrated.entity.planId, v2.id);
      assert.equal(migrated.entity.status, 'active');
      assert.equal(migrated.version, contract.version + 1);
    });

    it('stores secret named values sealed, never in plain text', async () => {
      await organizations.create(ctx, { id: 'secrets', name: 'secrets' });
      const namedValues = namedValuesResource(ctx.sealer);
      const secret = `s3cr3t-${dialect}-value`;
      const created = await namedValues.create(ctx, 'secrets', { name: 'db-password', value: secret, secret: true });
      assert.equal(created.entity.value, null);
      assert.equal(created.entity.sealed, null);
      const rotated = `${secret}-rotated`;
      await namedValues.update(ctx, 'secrets', created.entity.id, { value: rotated }, null);
      const plain = await namedValues.create(ctx, 'secrets', { name: 'region', value: 'eu-west-1' });
      assert.equal(plain.entity.value, 'eu-west-1');

      const rows = JSON.stringify(await store.db.selectFrom('named_values').selectAll().execute());
      const audit = JSON.stringify(await store.db.selectFrom('audit_events').selectAll().where('organization_id', '=', 'secrets').execute());
      for (const value of [secret, rotated]) {
        assert.ok(!rows.includes(value), 'named_values holds the secret in clear');
        assert.ok(!audit.includes(value), 'audit_events holds the secret in clear');
      }
      assert.ok(rows.includes('eu-west-1'), 'plain named values stay readable');
      const stored = await tables.namedValues.get(store.db, created.entity.id);
      assert.match(stored.entity.sealed ?? '', /^v1\./);
      assert.equal(revealNamedValue(ctx.sealer, stored.entity), rotated);
      assert.equal((await namedValues.get(ctx, 'secrets', created.entity.id)).entity.sealed, null, 'the API never shows the sealed value');
    });
  });
}
