import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { call, closeServer, listen } from '../gateway/helpers.ts';
import { sample } from './helpers.ts';

describe('metrics of a gateway cluster', () => {
  let backendServer: Server;
  let child: ChildProcess;
  let ready: { port: number; metricsPort: number; pids: number[] };
  const servedBy = new Set<number>();

  before(async () => {
    // Calls in sequence reuse a pool's keep-alive connection: distinct upstream connections mean
    // distinct workers' pools took part.
    backendServer = createServer((req, res) => {
      servedBy.add(req.socket.remotePort!);
      res.end('ok');
    });
    const url = await listen(backendServer);
    const main = fileURLToPath(new URL('./fixtures/cluster-metrics-main.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', main, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    ready = JSON.parse(line) as typeof ready;
  });
  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await closeServer(backendServer);
  });

  it('merges every worker into one scrape: the node counts every call once', async () => {
    assert.equal(ready.pids.length, 2);
    // Until both workers have the snapshot, a call may be answered 503 PORTICO_NOT_READY.
    for (let i = 0; i < 100; i++) {
      const text = await (await fetch(`http://127.0.0.1:${ready.metricsPort}/metrics`)).text();
      if (sample(text, 'portico_gateway_snapshot_revision') === 3) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const calls = 40;
    // At once, so they come on several connections (node:cluster spreads connections, not requests).
    const answers = await Promise.all(Array.from({ length: calls }, (_, i) => call(ready.port, `/a/${i}`)));
    for (const a of answers) assert.equal(a.status, 200);
    const text = await (await fetch(`http://127.0.0.1:${ready.metricsPort}/metrics`)).text();
    assert.equal(sample(text, 'portico_gateway_requests_total{api="a",api_name="A",method="GET",status="200"}'), calls);
    assert.equal(sample(text, 'portico_gateway_request_duration_seconds_count{api="a",api_name="A"}'), calls);
    assert.ok(servedBy.size >= 2, `calls came through ${servedBy.size} upstream connection(s)`);
    // The revision is the oldest worker's (min), not a sum of the two.
    assert.equal(sample(text, 'portico_gateway_snapshot_revision'), 3);
    // Process metrics of both workers are there, summed where that is meaningful.
    assert.match(text, /portico_gateway_process_cpu_seconds_total/);
  });
});
