import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeServer, echoBackend, listen } from '../gateway/helpers.ts';
import type { PolicySpec } from '../policies/helpers.ts';
import { KEYS, keyedSnapshot, limitsBed } from './bed.ts';
import { GatewayNode, burst, tally } from './gateway-nodes.ts';
import { dropNamespace, freshNamespace, SHARED_REDIS_URL } from './redis-helpers.ts';

const AS_A = { 'x-api-key': KEYS.a };
const HUNDRED: PolicySpec[] = [{ type: 'rate-limit', config: { limit: 100, per: 'hour' } }];
const QUOTA: PolicySpec[] = [{ type: 'quota', id: 'pol_restart_quota', config: { limit: 5, period: 'month' } }];

/** 1,000 calls, split over the nodes, all sent at once; answers the statuses of all. */
async function thousandOver(nodes: GatewayNode[]): Promise<Record<number, number>> {
  const share = (i: number) => Math.floor(1000 / nodes.length) + (i < 1000 % nodes.length ? 1 : 0);
  const all = await Promise.all(nodes.map((n, i) => burst(n.url, '/t/x', AS_A, share(i), 40)));
  return tally(all.flat());
}

async function calls(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${url}/t/x`, { headers: AS_A });
    await r.arrayBuffer();
    out.push(r.status);
  }
  return out;
}

describe('limits through real gateways under concurrent load', () => {
  const backend = echoBackend();
  let backendUrl: string;
  const namespaces: string[] = [];
  const nodes: GatewayNode[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'portico-limits-'));
  const ns = () => {
    const n = freshNamespace();
    namespaces.push(n);
    return n;
  };
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    nodes.length = 0;
  };
  before(async () => {
    backendUrl = await listen(backend);
  });
  after(async () => {
    await stopAll();
    await closeServer(backend);
    for (const n of namespaces) await dropNamespace(n);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets exactly 100 of 1,000 concurrent calls through a limit of 100 on one node (memory store)', async () => {
    const bed = await limitsBed(HUNDRED);
    try {
      assert.deepEqual(tally(await burst(bed.url, '/t/x', AS_A, 1000)), { 200: 100, 429: 900 });
    } finally {
      await bed.close();
    }
  });

  it('lets exactly 100 of 1,000 concurrent calls through three gateway processes sharing Redis in strict mode', async () => {
    const namespace = ns();
    for (let i = 0; i < 3; i++) nodes.push(await GatewayNode.start(['redis', SHARED_REDIS_URL, namespace, 'strict'], keyedSnapshot(backendUrl, HUNDRED)));
    assert.deepEqual(await thousandOver(nodes), { 200: 100, 429: 900 });
    await stopAll();
  });

  it('keeps three gateway processes in batching mode within the documented overshoot (at most (N − 1) × limit over, never under)', async () => {
    const namespace = ns();
    for (let i = 0; i < 3; i++) nodes.push(await GatewayNode.start(['redis', SHARED_REDIS_URL, namespace, 'batching'], keyedSnapshot(backendUrl, HUNDRED)));
    const t = await thousandOver(nodes);
    assert.equal((t[200] ?? 0) + (t[429] ?? 0), 1000, JSON.stringify(t));
    assert.ok(t[200]! >= 100 && t[200]! <= 300, `allowed ${t[200]}`);
    await stopAll();
  });

  it('still counts a quota after the gateway restarts: the memory store saves it in its file', async () => {
    const file = join(dir, 'quota-counters.json');
    const first = await GatewayNode.start(['memory', file], keyedSnapshot(backendUrl, QUOTA));
    assert.deepEqual(await calls(first.url, 3), [200, 200, 200]);
    await first.stop();
    const second = await GatewayNode.start(['memory', file], keyedSnapshot(backendUrl, QUOTA));
    nodes.push(second);
    assert.deepEqual(await calls(second.url, 3), [200, 200, 429]);
    await stopAll();
  });

  it('still counts a quota after the gateway restarts: Redis keeps it', async () => {
    const namespace = ns();
    const first = await GatewayNode.start(['redis', SHARED_REDIS_URL, namespace, 'strict'], keyedSnapshot(backendUrl, QUOTA));
    assert.deepEqual(await calls(first.url, 3), [200, 200, 200]);
    await first.stop();
    const second = await GatewayNode.start(['redis', SHARED_REDIS_URL, namespace, 'strict'], keyedSnapshot(backendUrl, QUOTA));
    nodes.push(second);
    assert.deepEqual(await calls(second.url, 3), [200, 200, 429]);
    await stopAll();
  });
});
