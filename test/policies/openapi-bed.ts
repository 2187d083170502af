/** Operations of an OpenAPI fixture as the control plane puts them in the snapshot (import, then the builder's operationSpecOf). */
import { readFileSync } from 'node:fs';
import { loadOpenApi } from '../../src/services/import/openapi.ts';
import { operationSpecOf } from '../../src/snapshot/operation-spec.ts';
import type { SnapshotOperation } from '../../src/snapshot/types.ts';

/** `op_<method>_<path words>` ids: `GET /orders/{id}` → `op_get_orders`. */
export async function fixtureOperations(file: string): Promise<SnapshotOperation[]> {
  const loaded = await loadOpenApi({ text: readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8') });
  return loaded.operations.map((o) => ({
    id: `op_${o.method.toLowerCase()}_${o.path.split('/')[1]}`,
    method: o.method,
    path: o.path,
    spec: operationSpecOf(loaded, o.method, o.path)!,
  }));
}
