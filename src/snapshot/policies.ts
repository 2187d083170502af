/**
 * The policy part of the snapshot (issue 5): every enabled policy, and the named values their
 * configs reference as `{{name}}` — decrypted, because the gateway renders them into requests.
 * Only referenced values travel: a secret no policy uses never leaves the control plane.
 */
import type { Policy } from '../domain/policy.ts';
import { tables, type Tx } from '../store/index.ts';
import type { SnapshotNamedValue, SnapshotPolicy, SnapshotPolicyScope } from './types.ts';

const REFERENCE = /\{\{\s*([A-Za-z0-9._-]+)\s*\}\}/g;

export interface SnapshotPolicies {
  policies: SnapshotPolicy[];
  namedValues: SnapshotNamedValue[];
}

export async function buildPolicies(tx: Tx, reveal: (org: string, name: string, tx: Tx) => Promise<string | null>): Promise<SnapshotPolicies> {
  const rows = ((await tables.policies.all(tx)) as Policy[]).filter((p) => p.enabled);
  const wanted = new Map<string, Set<string>>();
  for (const p of rows) {
    for (const m of JSON.stringify(p.config).matchAll(REFERENCE)) {
      const names = wanted.get(p.organizationId) ?? new Set<string>();
      names.add(m[1]!);
      wanted.set(p.organizationId, names);
    }
  }
  const namedValues: SnapshotNamedValue[] = [];
  for (const [org, names] of wanted) {
    for (const name of names) {
      const value = await reveal(org, name, tx);
      if (value !== null) namedValues.push({ organizationId: org, name, value });
    }
  }
  return {
    policies: rows.map((p) => ({
      id: p.id,
      organizationId: p.organizationId,
      scope: { type: p.scope.type as SnapshotPolicyScope, id: p.scope.id ?? null },
      type: p.type,
      config: p.config,
      position: p.position,
    })),
    namedValues,
  };
}
