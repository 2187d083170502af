// The snapshot a gateway receives and the long-poll feed serving it, against both stores.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { newMasterKey, Sealer } from '../../src/core/crypto.ts';
import { apis } from '../../src/services/apis.ts';
import { backends } from '../../src/services/backends.ts';
import { SYSTEM, type Ctx } from '../../src/services/context.ts';
import { namedValuesResource, revealNamedValue } from '../../src/services/named-values.ts';
import { organizations } from '../../src/services/organizations.ts';
import { buildSnapshot, SnapshotFeed } from '../../src/snapshot/index.ts';
import { currentRevision, openStore, tables, type Store, type Tx } from '../../src/store/index.ts';
import { startTestPortico } from '../helpers/control-plane.ts';
import { DIALECTS, freshStore, type TestStore } from '../helpers/stores.ts';

const target = (port: number) => [{ url: `http://127.0.0.1:${port}/` }];

for (const dialect of DIALECTS) {
  describe(`snapshot and feed on ${dialect}`, () => {
    let ts: TestStore;
    let store: Store;
    let ctx: Ctx;
    const reveal = async (org: string, name: string, tx: Tx) => {
      const nv = await tables.namedValues.findBy(tx, { organization_id: org, name });
      return nv ? revealNamedValue(ctx.sealer, nv.entity) : null;
    };
    const build = () => buildSnapshot(store, reveal);

    before(async () => {
      ts = await freshStore(dialect);
      store = await openStore(ts.database, ts.dataDir);
      ctx = { store, sealer: new Sealer(newMasterKey()), clock: systemClock, actor: SYSTEM };
      await organizations.create(ctx, { id: 'snap', name: 'snap' });
    });
    after(async () => {
      await store?.close();
      await ts?.drop();
    });

    it('is empty at revision 0 on a new store', async () => {
      const empty = await freshStore(dialect);
      const s = await openStore(empty.database, empty.dataDir);
      try {
        const snapshot = await buildSnapshot(s, async () => null);
        assert.equal(snapshot.revision, 0);
        assert.deepEqual(snapshot.apis, []);
        assert.deepEqual(snapshot.backends, []);
      } finally {
        await s.close();
        await empty.drop();
      }
    });

    it('holds only published and deprecated APIs, with their backends, at the current revision', async () => {
      const made: Record<string, { api: string; backend: string }> = {};
      for (const [i, lifecycle] of (['published', 'deprecated', 'draft', 'retired'] as const).entries()) {
        const b = (await backends.create(ctx, 'snap', { name: `b-${lifecycle}`, targets: target(9000 + i) })).entity;
        const a = (await apis.create(ctx, 'snap', { name: `api-${lifecycle}`, basePath: `/${lifecycle}`, backendId: b.id, lifecycle, operations: [{ method: 'GET', path: '/items/{id}' }] })).entity;
        made[lifecycle] = { api: a.id, backend: b.id };
      }
      const unused = (await backends.create(ctx, 'snap', { name: 'b-unused', targets: target(9100) })).entity;
      // Two served APIs sharing a backend carry it once.
      await apis.create(ctx, 'snap', { name: 'api-shared', basePath: '/shared', backendId: made.published!.backend, visibility: 'public' });

      const snapshot = await build();
      assert.equal(snapshot.revision, await currentRevision(store.db));
      assert.ok(snapshot.revision > 0);
      assert.ok(!Number.isNaN(Date.parse(snapshot.generatedAt)));
      assert.deepEqual(snapshot.apis.map((a) => a.name).sort(), ['api-deprecated', 'api-published', 'api-shared']);
      assert.deepEqual(snapshot.backends.map((b) => b.id).sort(), [made.published!.backend, made.deprecated!.backend].sort());
      assert.ok(!snapshot.backends.some((b) => b.id === unused.id));
      for (const api of snapshot.apis) assert.ok(snapshot.backends.some((b) => b.id === api.backendId), `backend of ${api.name} is in the snapshot`);

      const published = snapshot.apis.find((a) => a.id === made.published!.api)!;
      assert.equal(published.organizationId, 'snap');
      assert.equal(published.basePath, '/published');
      assert.equal(published.visibility, 'private');
      assert.deepEqual(published.versioning, { scheme: 'none', name: null });
      assert.deepEqual(
        published.operations.map((o) => ({ method: o.method, path: o.path })),
        [{ method: 'GET', path: '/items/{id}' }],
      );
      const backend = snapshot.backends.find((b) => b.id === made.published!.backend)!;
      assert.deepEqual(backend.targets, [{ url: 'http://127.0.0.1:9000/', weight: 1 }]);
      assert.equal(backend.tls, null);
    });

    it('moves an API in and out of the snapshot with its lifecycle', async () => {
      const b = (await backends.create(ctx, 'snap', { name: 'b-life', targets: target(9200) })).entity;
      const a = await apis.create(ctx, 'snap', { name: 'api-life', basePath: '/life', backendId: b.id, lifecycle: 'draft' });
      assert.ok(!(await build()).apis.some((x) => x.id === a.entity.id));
      const published = await apis.update(ctx, 'snap', a.entity.id, { lifecycle: 'published' }, null);
      const s1 = await build();
      assert.ok(s1.apis.some((x) => x.id === a.entity.id));
      assert.ok(s1.backends.some((x) => x.id === b.id));
      await apis.update(ctx, 'snap', a.entity.id, { lifecycle: 'retired' }, published.version);
      const s2 = await build();
      assert.ok(!s2.apis.some((x) => x.id === a.entity.id));
      assert.ok(!s2.backends.some((x) => x.id === b.id));
      assert.ok(s2.revision > s1.revision);
    });

    it('opens the client key of a mutual-TLS backend from its secret named value', async () => {
      await namedValuesResource(ctx.sealer).create(ctx, 'snap', { name: 'client-key', value: '-----BEGIN PRIVATE KEY-----x', secret: true });
      const b = (await backends.create(ctx, 'snap', { name: 'b-tls', targets: [{ url: 'https://127.0.0.1:9443/' }], tls: { clientKeyNamedValue: 'client-key', clientCertificate: 'CERT' } })).entity;
      await apis.create(ctx, 'snap', { name: 'api-tls', basePath: '/tls', backendId: b.id });
      const tls = (await build()).backends.find((x) => x.id === b.id)?.tls;
      assert.deepEqual(tls, { ca: null, cert: 'CERT', key: '-----BEGIN PRIVATE KEY-----x', rejectUnauthorized: true });
    });

    it('serves a mutual-TLS backend with its client key through the control plane feed', async () => {
      // The control plane's own reveal: it once read through the store instead of the snapshot's
      // transaction, which on SQLite waits forever for the one connection the transaction holds.
      const p = await startTestPortico(dialect);
      try {
        const must = async (r: Promise<{ status: number; body: any }>, status: number) => {
          const res = await r;
          assert.equal(res.status, status, JSON.stringify(res.body));
          return res.body;
        };
        await must(p.admin.post('/organizations', { id: 'mtls', name: 'mtls' }), 201);
        await must(p.admin.post('/organizations/mtls/named-values', { name: 'client-key', value: 'PEM-KEY', secret: true }), 201);
        const b = await must(p.admin.post('/organizations/mtls/backends', { name: 'b', targets: [{ url: 'https://127.0.0.1:9443/' }], tls: { clientKeyNamedValue: 'client-key' } }), 201);
        await must(p.admin.post('/organizations/mtls/apis', { name: 'a', basePath: '/mtls', backendId: b.id }), 201);
        const res = await fetch(`${p.url}/gateway/v1/config?wait=0`, { headers: { authorization: `Bearer ${p.cp.gatewayToken}` }, signal: AbortSignal.timeout(5000) });
        assert.equal(res.status, 200);
        const snapshot = (await res.json()) as { backends: { id: string; tls: { key: string | null } | null }[] };
        assert.equal(snapshot.backends.find((x) => x.id === b.id)?.tls?.key, 'PEM-KEY');
      } finally {
        await p.close();
      }
    });

    it('answers at once when the caller has no snapshot or an older one', async () => {
      const feed = new SnapshotFeed(store, build, 20);
      try {
        const revision = await currentRevision(store.db);
        const t0 = Date.now();
        assert.equal((await feed.after(null, 5))?.revision, revision);
        assert.equal((await feed.after(revision - 1, 5))?.revision, revision);
        assert.ok(Date.now() - t0 < 2000);
        // The latest snapshot is cached per revision.
        assert.equal(await feed.latest(), await feed.latest());
      } finally {
        feed.close();
      }
    });

    it('returns null after the wait when nothing changed', async () => {
      const feed = new SnapshotFeed(store, build, 20);
      try {
        const revision = await currentRevision(store.db);
        const t0 = Date.now();
        assert.equal(await feed.after(revision, 0.4), null);
        const waited = Date.now() - t0;
        assert.ok(waited >= 380, `waited ${waited} ms`);
        assert.ok(waited < 2000, `waited ${waited} ms`);
      } finally {
        feed.close();
      }
    });

    it('returns a newer snapshot as soon as a write happens during the wait', async () => {
      const feed = new SnapshotFeed(store, build, 20);
      try {
        const revision = await currentRevision(store.db);
        const t0 = Date.now();
        const waiting = feed.after(revision, 10);
        let wroteAt = 0;
        const writing = (async () => {
          await new Promise((r) => setTimeout(r, 200));
          const b = (await backends.create(ctx, 'snap', { name: 'b-late', targets: target(9300) })).entity;
          await apis.create(ctx, 'snap', { name: 'api-late', basePath: '/late', backendId: b.id });
          wroteAt = Date.now();
        })();
        const snapshot = await waiting;
        await writing;
        const elapsed = Date.now() - t0;
        assert.ok(snapshot, 'a snapshot, not null');
        assert.ok(snapshot.revision > revision);
        assert.ok(elapsed >= 150, `answered after ${elapsed} ms, before any write`);
        assert.ok(elapsed < 3000, `answered after ${elapsed} ms: the wait was not cut short`);
        assert.ok(wroteAt > 0);
        // Whatever revision it carries, the snapshot is consistent with it.
        const rebuilt = await build();
        if (rebuilt.revision === snapshot.revision) assert.deepEqual(snapshot.apis, rebuilt.apis);
        const last = await feed.after(revision, 0);
        assert.ok(last?.apis.some((a) => a.name === 'api-late'));
        assert.equal(last?.revision, await currentRevision(store.db));
      } finally {
        feed.close();
      }
    });

    it('stops waiting when closed or aborted', async () => {
      const feed = new SnapshotFeed(store, build, 20);
      const revision = await currentRevision(store.db);
      const controller = new AbortController();
      const t0 = Date.now();
      const aborted = feed.after(revision, 10, controller.signal);
      setTimeout(() => controller.abort(), 100);
      assert.equal(await aborted, null);
      const closed = feed.after(revision, 10);
      setTimeout(() => feed.close(), 100);
      assert.equal(await closed, null);
      assert.ok(Date.now() - t0 < 3000);
    });
  });
}
