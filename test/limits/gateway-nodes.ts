/** Gateway nodes in their own processes (fixtures/gateway-worker.ts), and a bounded load of concurrent calls. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type { Snapshot } from '../../src/snapshot/types.ts';
import type { NodeCommand, NodeReply } from './fixtures/gateway-worker.ts';

const WORKER = fileURLToPath(new URL('./fixtures/gateway-worker.ts', import.meta.url));

export class GatewayNode {
  readonly child: ChildProcess;
  readonly #replies: NodeReply[] = [];
  readonly #waiting: Array<(r: NodeReply) => void> = [];
  url = '';

  private constructor(args: string[]) {
    this.child = fork(WORKER, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    this.child.on('message', (r: NodeReply) => {
      const w = this.#waiting.shift();
      if (w) w(r);
      else this.#replies.push(r);
    });
  }

  /** `['redis', url, namespace, mode]` or `['memory', file]`; resolves once it listens with the snapshot. */
  static async start(args: string[], snapshot: Snapshot): Promise<GatewayNode> {
    const node = new GatewayNode(args);
    const listening = await node.#next();
    if (listening.type !== 'listening') throw new Error('gateway node did not listen');
    node.url = `http://127.0.0.1:${listening.port}`;
    node.child.send({ type: 'snapshot', snapshot } satisfies NodeCommand);
    await node.#next();
    return node;
  }

  #next(): Promise<NodeReply> {
    const r = this.#replies.shift();
    return r !== undefined ? Promise.resolve(r) : new Promise((resolve) => this.#waiting.push(resolve));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' } satisfies NodeCommand);
    await exited;
  }
}

/** Sends `count` GETs to `url` + path all at once (at most `connections` sockets); answers the statuses. */
export async function burst(url: string, path: string, headers: Record<string, string>, count: number, connections = 50): Promise<number[]> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  try {
    return await Promise.all(
      Array.from({ length: count }, async () => {
        const r = await pool.request({ method: 'GET', path, headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
        await r.body.dump();
        return r.statusCode;
      }),
    );
  } finally {
    await pool.close();
  }
}

export const tally = (statuses: number[]): Record<number, number> => statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});
