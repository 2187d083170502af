/**
 * Redis for the limits suites: the shared server at 127.0.0.1:6379 (a fresh key namespace per test,
 * dropped afterwards), and test-owned servers on a free port that a test may stop, freeze and restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';

export const SHARED_REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function freshNamespace(): string {
  return `portico-test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key of a namespace (counters, leases) on the shared server. */
export async function dropNamespace(namespace: string, url = SHARED_REDIS_URL): Promise<number> {
  const redis = new Redis(url);
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  return removed;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(200);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A redis-server of the test's own, without persistence, stopped by PID. */
export class OwnRedis {
  #child: ChildProcess | undefined;
  readonly port: number;

  constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.#child = child;
    for (let i = 0; i < 100; i++) {
      if (await ping(this.port)) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Freezes the server: connections stay open, nothing is answered. */
  freeze(): void {
    process.kill(this.#pid(), 'SIGSTOP');
  }

  thaw(): void {
    process.kill(this.#pid(), 'SIGCONT');
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(this.#pid(), 'SIGKILL');
    await exited;
    this.#child = undefined;
  }

  #pid(): number {
    const pid = this.#child?.pid;
    if (pid === undefined) throw new Error('redis-server is not running');
    return pid;
  }
}
