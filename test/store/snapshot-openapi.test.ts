// The snapshot carries each imported operation's OpenAPI description for the validation and mock policies.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { newMasterKey, Sealer } from '../../src/core/crypto.ts';
import { SYSTEM, type Ctx } from '../../src/services/context.ts';
import { importApi } from '../../src/services/import/import-api.ts';
import { organizations } from '../../src/services/organizations.ts';
import { apis } from '../../src/services/apis.ts';
import { buildSnapshot } from '../../src/snapshot/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { freshStore, type TestStore } from '../helpers/stores.ts';

describe('snapshot of an imported API', () => {
  let ts: TestStore;
  let store: Store;
  let ctx: Ctx;
  before(async () => {
    ts = await freshStore('sqlite');
    store = await openStore(ts.database, ts.dataDir);
    ctx = { store, sealer: new Sealer(newMasterKey()), clock: systemClock, actor: SYSTEM };
    await organizations.create(ctx, { id: 'oas', name: 'oas' });
  });
  after(async () => {
    await store?.close();
    await ts?.drop();
  });

  it('carries the dereferenced parameters, body and responses of each operation, and the cycles as refs', async () => {
    const text = readFileSync(new URL('../policies/fixtures/shop.yaml', import.meta.url), 'utf8');
    const imported = await importApi(ctx, 'oas', { source: { text }, basePath: '/shop' });
    await apis.update(ctx, 'oas', imported.api.id, { lifecycle: 'published' }, null);
    const snapshot = await buildSnapshot(store, async () => null);
    const ops = snapshot.apis.find((a) => a.id === imported.api.id)!.operations;
    const get = ops.find((o) => o.method === 'GET' && o.path === '/orders/{id}')!.spec!;
    assert.equal(get.format, 'openapi-3.0');
    assert.deepEqual(get.parameters.map((p) => `${String(p.in)} ${String(p.name)}`), ['path id', 'query limit', 'query tags', 'header X-Tenant', 'cookie session']);
    assert.equal((get.responses['200'] as { content: Record<string, { schema: { required: string[] } }> }).content['application/json']!.schema.required[0], 'id', 'dereferenced');
    const tree = ops.find((o) => o.path === '/tree')!.spec!;
    assert.deepEqual(Object.keys(tree.refs), ['#/components/schemas/Node']);
  });
});
