import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createInterface, type Interface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { call, closeServer, listen } from './helpers.ts';

describe('gateway cluster runner', () => {
  let backend: Server;
  let child: ChildProcess;
  let lines: Interface;
  const queue: string[] = [];
  const waiters: Array<(l: string) => void> = [];

  const nextLine = (): Promise<string> =>
    queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiters.push(resolve));

  before(async () => {
    backend = createServer((req, res) => res.end(`pid-agnostic ok ${req.url}`));
    const url = await listen(backend);
    const main = fileURLToPath(new URL('./fixtures/cluster-main.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', main, url], { stdio: ['pipe', 'pipe', 'inherit'] });
    lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      const w = waiters.shift();
      if (w) w(l);
      else queue.push(l);
    });
  });
  after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closeServer(backend);
  });

  async function state(): Promise<{ port: number; pids: number[] }> {
    child.stdin!.write('pids\n');
    return JSON.parse(await nextLine()) as { port: number; pids: number[] };
  }

  it('serves on a shared port from several workers, replaces a dead worker and drains on SIGTERM', async () => {
    const ready = JSON.parse(await nextLine()) as { port: number; pids: number[] };
    assert.equal(ready.pids.length, 2);
    assert.ok(ready.port > 0);
    // Workers receive the snapshot over IPC shortly after listening.
    let r = await call(ready.port, '/a/x');
    for (let i = 0; i < 50 && r.status !== 200; i++) {
      await new Promise((res) => setTimeout(res, 50));
      r = await call(ready.port, '/a/x');
    }
    assert.equal(r.status, 200);
    assert.equal(r.body, 'pid-agnostic ok /x');

    process.kill(ready.pids[0]!, 'SIGKILL');
    let now = await state();
    for (let i = 0; i < 100 && !(now.pids.length === 2 && !now.pids.includes(ready.pids[0]!)); i++) {
      await new Promise((res) => setTimeout(res, 50));
      now = await state();
    }
    assert.equal(now.pids.length, 2);
    assert.ok(!now.pids.includes(ready.pids[0]!));
    // The replacement joins the same port and gets the current snapshot.
    await new Promise((res) => setTimeout(res, 300));
    for (let i = 0; i < 6; i++) assert.equal((await call(now.port, '/a/x')).status, 200);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await assert.rejects(call(now.port, '/a/x'), /ECONNREFUSED/);
  });
});
