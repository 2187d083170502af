import { Sealer, newMasterKey } from '../../src/core/crypto.ts';
import { systemClock } from '../../src/core/clock.ts';
import { SYSTEM, type Ctx } from '../../src/services/context.ts';
import { organizations } from '../../src/services/organizations.ts';
import { openStore } from '../../src/store/index.ts';
import { freshStore, type TestStore } from './stores.ts';

export interface TestServices {
  ctx: Ctx;
  store: TestStore;
  close(): Promise<void>;
}

/** Services over a fresh store of `dialect`, acting as the system principal, with organizations `orgIds`. */
export async function startTestServices(dialect: 'sqlite' | 'postgres', orgIds: string[] = []): Promise<TestServices> {
  const store = await freshStore(dialect);
  const db = await openStore(store.database, store.dataDir);
  const ctx: Ctx = { store: db, sealer: new Sealer(newMasterKey()), clock: systemClock, actor: SYSTEM };
  for (const id of orgIds) await organizations.create(ctx, { id, name: id });
  return {
    ctx,
    store,
    async close() {
      await db.close();
      await store.drop();
    },
  };
}
