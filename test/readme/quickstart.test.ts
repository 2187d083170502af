import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The bash block between the quickstart markers of README.md, exactly as a reader copies it. */
function quickstartBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /<!-- quickstart:begin -->\s*```bash\n([\s\S]*?)```\s*<!-- quickstart:end -->/.exec(readme);
  assert.ok(section?.[1], 'README.md has a quickstart block');
  return section[1];
}

/** Starts `portico start` on free ports and resolves with the printed URLs. */
function startPortico(dataDir: string): Promise<{ child: ChildProcess; controlPlane: string; gateway: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/portico.js'), 'start', '--data-dir', dataDir, '--port', '0', '--gateway-port', '0'], {
    env: { ...process.env, PORTICO_ADMIN_CLIENT_ID: 'quickstart', PORTICO_ADMIN_CLIENT_SECRET: 'quickstart-secret-0123456789', PORTICO_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`portico did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const cp = /Token endpoint\s+(http:\/\/[\d.:]+)\/oauth\/token/.exec(out);
      const gw = /Gateway\s+(http:\/\/[\d.:]+)/.exec(out);
      if (cp?.[1] && gw?.[1]) {
        clearTimeout(timer);
        resolve({ child, controlPlane: cp[1], gateway: gw[1] });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`portico exited with ${code}:\n${out}`)));
  });
}

describe('README quickstart', () => {
  let dataDir: string;
  let portico: Awaited<ReturnType<typeof startPortico>>;
  let primaryKey: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portico-readme-'));
    portico = await startPortico(dataDir);
  });

  after(() => {
    portico?.child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every curl step as written and ends with an active contract', () => {
    // The reader's control plane is on 127.0.0.1:8001; this one is on a free port.
    const script = quickstartBlock().replaceAll('http://127.0.0.1:8001', portico.controlPlane);
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `quickstart failed:\n${run.stdout}\n${run.stderr}`);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines[0], 'acme', 'step 2 prints the organization id');
    assert.ok(lines.includes('locked'), `the plan is locked:\n${run.stdout}`);
    assert.match(lines.at(-2) ?? '', /^pk_/, 'step 7 prints the primary key');
    primaryKey = lines.at(-2)!;
    assert.equal(lines.at(-1), 'active', 'step 8 creates an active contract');
  });

  it('serves the new API on the gateway within a second, with the primary key the quickstart printed', async () => {
    let answer: Response | null = null;
    for (let i = 0; i < 20; i++) {
      answer = await fetch(`${portico.gateway}/shop/orders/42`, { headers: { 'X-API-Key': primaryKey } });
      if (answer.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(answer);
    assert.equal(answer.status, 200);
    const echoed = (await answer.json()) as { path: string; method: string };
    assert.equal(echoed.method, 'GET');
    assert.equal(echoed.path, '/orders/42');
    const keyless = await fetch(`${portico.gateway}/shop/orders/42`);
    assert.equal(keyless.status, 401);
    assert.equal(((await keyless.json()) as { code: string }).code, 'PORTICO_KEY_MISSING');
  });
});
