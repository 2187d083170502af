import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RedisCounterStore, type Rule } from '../../src/gateway/limits/index.ts';
import type { WorkerCommand, WorkerReply } from './fixtures/consume-worker.ts';
import { dropNamespace, freshNamespace, OwnRedis, SHARED_REDIS_URL } from './redis-helpers.ts';
import { counterSemantics } from './semantics.ts';

counterSemantics('redis store (strict)', async () => {
  const namespace = freshNamespace();
  // These cases are about counting: on a loaded machine a 100 ms command timeout would turn slow
  // answers into fail-open decisions (allowed, uncounted) and the counts would be wrong for that reason.
  const store = new RedisCounterStore({ redis: SHARED_REDIS_URL, namespace, commandTimeoutMs: 2_000 });
  await store.ready();
  return {
    store,
    close: async () => {
      await store.close();
      await dropNamespace(namespace);
    },
  };
});

const WORKER = fileURLToPath(new URL('./fixtures/consume-worker.ts', import.meta.url));

/** A gateway node in its own process. */
class Node {
  readonly child: ChildProcess;
  readonly #replies: WorkerReply[] = [];
  readonly #waiting: Array<(r: WorkerReply) => void> = [];

  constructor(namespace: string, mode: 'strict' | 'batching', leaseMs = 30_000) {
    this.child = fork(WORKER, [SHARED_REDIS_URL, namespace, mode, String(leaseMs)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    this.child.on('message', (r: WorkerReply) => {
      const w = this.#waiting.shift();
      if (w) w(r);
      else this.#replies.push(r);
    });
  }

  next(): Promise<WorkerReply> {
    const r = this.#replies.shift();
    return r !== undefined ? Promise.resolve(r) : new Promise((resolve) => this.#waiting.push(resolve));
  }

  async ask(command: WorkerCommand): Promise<WorkerReply> {
    this.child.send(command);
    return this.next();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' } satisfies WorkerCommand);
    await exited;
  }
}

async function startNodes(n: number, namespace: string, mode: 'strict' | 'batching'): Promise<Node[]> {
  const nodes = Array.from({ length: n }, () => new Node(namespace, mode));
  for (const node of nodes) assert.deepEqual(await node.next(), { type: 'ready' });
  return nodes;
}

type Ran = Extract<WorkerReply, { type: 'ran' }>;

async function runAll(nodes: Node[], command: Extract<WorkerCommand, { type: 'run' }>): Promise<Ran[]> {
  const replies = await Promise.all(nodes.map((n) => n.ask(command)));
  return replies.map((r) => {
    assert.equal(r.type, 'ran');
    return r as Ran;
  });
}

/** The most calls one node admitted within any span of `spanMs`. */
function mostWithin(times: number[], spanMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! > spanMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('redis store across processes', () => {
  it('strict mode: three processes hammering one key are allowed exactly the limit, for every algorithm', async () => {
    const namespace = freshNamespace();
    const nodes = await startNodes(3, namespace, 'strict');
    try {
      const rules: Rule[] = [
        { kind: 'window', limit: 100, windowMs: 3_600_000, algorithm: 'sliding' },
        { kind: 'window', limit: 100, windowMs: 3_600_000, algorithm: 'gcra' },
        { kind: 'calendar', limit: 100, period: 'month', timeZone: 'Europe/Paris' },
      ];
      for (const rule of rules) {
        const ran = await runAll(nodes, { type: 'run', key: `hammer-${rule.kind}`, rule, attempts: 300, paceMs: 0 });
        const total = ran.reduce((sum, r) => sum + r.allowed, 0);
        assert.equal(total, 100, `${JSON.stringify(rule)}: ${ran.map((r) => r.allowed).join(' + ')}`);
      }
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await dropNamespace(namespace);
    }
  });

  it('batching mode: three processes overshoot the limit by no more than the documented bound', async (t) => {
    const namespace = freshNamespace();
    const nodes = await startNodes(3, namespace, 'batching');
    try {
      const rule: Rule = { kind: 'window', limit: 100, windowMs: 3_600_000, algorithm: 'sliding' };
      const ran = await runAll(nodes, { type: 'run', key: 'paced', rule, attempts: 250, paceMs: 2 });
      const total = ran.reduce((sum, r) => sum + r.allowed, 0);
      // docs/traffic-control.md: allowed ≤ limit + 2 × N × r × A, at most N × limit, where r × 2A is
      // the most calls one node admitted within 2A, and A the longest age of a node's view.
      const A = Math.max(...ran.map((r) => r.maxViewAgeMs));
      assert.ok(A > 0 && ran.every((r) => r.syncs > 0), 'every node synced');
      const perNode = Math.max(...ran.map((r) => mostWithin(r.admittedAt, 2 * A)));
      const bound = Math.min(nodes.length * perNode, (nodes.length - 1) * 100);
      t.diagnostic(`allowed ${total} (${ran.map((r) => r.allowed).join(' + ')}), A = ${A} ms, bound 100 + ${bound}`);
      assert.ok(total >= 100, `allowed ${total} < limit`);
      assert.ok(total <= 100 + bound, `allowed ${total} > 100 + ${bound}`);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await dropNamespace(namespace);
    }
  });
});

describe('redis store', () => {
  const namespace = freshNamespace();
  after(() => dropNamespace(namespace));

  it('batching mode answers from memory: no promise on the request path, exact for one node', async () => {
    const store = new RedisCounterStore({ redis: SHARED_REDIS_URL, namespace, mode: 'batching', syncIntervalMs: 20 });
    await store.ready();
    const rule: Rule = { kind: 'calendar', limit: 10, period: 'day', timeZone: 'UTC' };
    const ds = Array.from({ length: 15 }, () => store.consume('one-node', rule, 1, Date.now()));
    assert.ok(ds.every((d) => !(d instanceof Promise)));
    assert.equal(ds.filter((d) => 'allowed' in d && d.allowed).length, 10);
    await store.close(); // flushes the deltas
    const reader = new RedisCounterStore({ redis: SHARED_REDIS_URL, namespace });
    await reader.ready();
    assert.equal((await reader.usage('one-node', rule, Date.now())).used, 10);
    await reader.close();
  });

  it("a dead gateway's concurrency slots come back after the lease time", async () => {
    const node = new Node(namespace, 'strict', 500);
    assert.deepEqual(await node.next(), { type: 'ready' });
    assert.deepEqual(await node.ask({ type: 'acquire', key: 'dead', limit: 2 }), { type: 'acquired', acquired: true });
    assert.deepEqual(await node.ask({ type: 'acquire', key: 'dead', limit: 2 }), { type: 'acquired', acquired: true });
    const exited = new Promise((resolve) => node.child.once('exit', resolve));
    process.kill(node.child.pid!, 'SIGKILL');
    await exited;
    const store = new RedisCounterStore({ redis: SHARED_REDIS_URL, namespace });
    await store.ready();
    try {
      assert.equal((await store.acquire('dead', 2)).acquired, false);
      let acquired = false;
      for (let i = 0; i < 100 && !acquired; i++) {
        await new Promise((r) => setTimeout(r, 100));
        acquired = (await store.acquire('dead', 2)).acquired;
      }
      assert.equal(acquired, true);
    } finally {
      await store.close();
    }
  });

  it("a live gateway's slots are renewed for as long as it holds them", async () => {
    const holder = new RedisCounterStore({ redis: SHARED_REDIS_URL, namespace, leaseMs: 600 });
    const other = new RedisCounterStore({ redis: SHARED_REDIS_URL, namespace });
    await Promise.all([holder.ready(), other.ready()]);
    try {
      assert.equal((await holder.acquire('live', 1)).acquired, true);
      await new Promise((r) => setTimeout(r, 1800)); // three lease times
      assert.equal((await other.acquire('live', 1)).acquired, false);
      await holder.release('live');
      assert.equal((await other.acquire('live', 1)).acquired, true);
    } finally {
      await Promise.all([holder.close(), other.close()]);
    }
  });
});

describe('redis store namespaces', () => {
  const namespace = freshNamespace();

  it('reset touches only its own namespace and never the concurrency leases', async () => {
    const a = new RedisCounterStore({ redis: SHARED_REDIS_URL, namespace });
    const b = new RedisCounterStore({ redis: SHARED_REDIS_URL, namespace: `${namespace}other:` });
    await Promise.all([a.ready(), b.ready()]);
    const rule: Rule = { kind: 'window', limit: 1, windowMs: 60_000, algorithm: 'gcra' };
    const now = Date.now();
    try {
      await a.consume('k', rule, 1, now);
      await b.consume('k', rule, 1, now);
      assert.equal((await a.acquire('k', 1)).acquired, true);
      assert.equal(await a.reset(''), 1);
      assert.equal((await a.consume('k', rule, 1, now)).allowed, true);
      assert.equal((await b.consume('k', rule, 1, now)).allowed, false);
      assert.equal((await a.acquire('k', 1)).acquired, false);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await dropNamespace(namespace);
    }
  });
});

describe('redis store (strict): one script call per event-loop turn', () => {
  it('decides the calls of one turn in one EVALSHA, each exactly, across rule kinds', async () => {
    const own = await OwnRedis.start();
    const store = new RedisCounterStore({ redis: own.url, commandTimeoutMs: 2_000 });
    const admin = new Redis(own.url);
    try {
      await store.ready();
      const now = Date.UTC(2026, 11, 7, 12, 0, 0);
      const sliding: Rule = { kind: 'window', algorithm: 'sliding', limit: 3, windowMs: 60_000 };
      const gcra: Rule = { kind: 'window', algorithm: 'gcra', limit: 2, windowMs: 60_000 };
      const quota: Rule = { kind: 'calendar', limit: 4, period: 'day', timeZone: 'UTC' };
      // Warm-up turn: loads the script (EVALSHA answered NOSCRIPT, then EVAL).
      await store.consume('warm', gcra, 1, now);
      const before = await scriptCalls(admin);
      const turn = [
        ...Array.from({ length: 5 }, () => store.consume('a', sliding, 1, now)),
        ...Array.from({ length: 5 }, () => store.consume('b', gcra, 1, now)),
        ...Array.from({ length: 6 }, () => store.consume('c', quota, 1, now)),
      ];
      const decisions = await Promise.all(turn);
      assert.equal((await scriptCalls(admin)) - before, 1, 'sixteen decisions, one script call');
      assert.deepEqual(decisions.map((d) => (d.allowed ? 1 : 0)), [1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
      assert.deepEqual(decisions.slice(0, 3).map((d) => d.remaining), [2, 1, 0], 'in the order the calls were made');
      assert.ok(decisions.every((d) => d.degraded !== true), 'all counted');
    } finally {
      admin.disconnect();
      await store.close();
      await own.kill();
    }
  });
});

async function scriptCalls(admin: Redis): Promise<number> {
  const stats = await admin.info('commandstats');
  let calls = 0;
  for (const m of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) calls += Number(m[1]);
  return calls;
}
