// `portico start` as a user runs it: a child process on OS-chosen ports, driven over HTTP.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/portico.js');
const ADMIN_ID = 'cli-test-admin';
const ADMIN_SECRET = 'cli-test-admin-secret-value';
const DEMO_KEY = 'pk_cli_test_demo_key_0123456789';

interface Running {
  child: ChildProcess;
  output: () => string;
  controlPlane: string;
  gateway: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const spawned: ChildProcess[] = [];

/** Spawns `portico <args>` with a clean PORTICO_* environment plus `env`. */
function portico(args: string[], env: Record<string, string>, cwd: string) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTICO_')));
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...base, PORTICO_LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return { child, output: () => out, exited };
}

/** Starts `portico start` and waits for the welcome text; parses the URLs it prints. */
async function start(args: string[], env: Record<string, string>, cwd: string): Promise<Running> {
  const p = portico(['start', '--port', '0', '--gateway-port', '0', ...args], env, cwd);
  const deadline = Date.now() + 30_000;
  // The welcome text is one write; wait for its last line.
  while (!/Portico is running\.[\s\S]*Data {12}.*\n/.test(p.output())) {
    if (p.child.exitCode !== null) throw new Error(`portico exited with ${p.child.exitCode}:\n${p.output()}`);
    if (Date.now() > deadline) throw new Error(`portico did not start:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 100)); // let the rest of the welcome text arrive
  const text = p.output();
  const controlPlane = /Token endpoint {2}(http:\/\/\S+)\/oauth\/token/.exec(text)?.[1];
  const gateway = /Gateway {9}(http:\/\/\S+)/.exec(text)?.[1];
  assert.ok(controlPlane, text);
  assert.ok(gateway, text);
  return { ...p, controlPlane, gateway };
}

async function stop(r: Running): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  r.child.kill('SIGTERM');
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('portico did not exit within 10 s of SIGTERM')), 10_000).unref());
  return Promise.race([r.exited, timeout]);
}

async function adminToken(controlPlane: string): Promise<string> {
  const res = await fetch(`${controlPlane}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: ADMIN_SECRET }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { access_token: string; token_type: string };
  assert.match(body.token_type, /^bearer$/i);
  return body.access_token;
}

async function productNames(controlPlane: string, token: string): Promise<string[]> {
  const res = await fetch(`${controlPlane}/management/v1/organizations/demo/products`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { items: { name: string }[] };
  return body.items.map((p) => p.name).sort();
}

describe('portico start', () => {
  let root: string;
  let dataDir: string;
  let decoyDir: string;
  let cwd: string;
  let first: Running;
  let again: Running | undefined;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'portico-cli-'));
    dataDir = join(root, 'data');
    decoyDir = join(root, 'decoy');
    cwd = join(root, 'cwd');
    mkdirSync(cwd);
    // The flag wins over PORTICO_DATA_DIR.
    first = await start(['--data-dir', dataDir], { PORTICO_DATA_DIR: decoyDir, PORTICO_ADMIN_CLIENT_ID: ADMIN_ID, PORTICO_ADMIN_CLIENT_SECRET: ADMIN_SECRET, PORTICO_DEMO_API_KEY: DEMO_KEY }, cwd);
  });

  after(async () => {
    for (const child of spawned) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('prints the actual ports chosen by the OS', () => {
    for (const url of [first.controlPlane, first.gateway]) {
      const port = Number(new URL(url).port);
      assert.ok(port > 0 && port < 65536, url);
    }
    assert.notEqual(first.controlPlane, first.gateway);
    assert.ok(!first.output().includes(':0/'), first.output());
    assert.ok(first.output().includes(`${first.controlPlane}/management/v1`));
    assert.ok(first.output().includes(`curl -H 'X-API-Key: ${DEMO_KEY}' ${first.gateway}/echo/hello`));
  });

  it('prints first-start credentials: the fixed service key and the demo key from the environment', () => {
    const text = first.output();
    assert.match(text, /First start: save these now/);
    assert.match(text, /Admin sign-in +admin@portico\.local \/ \S+/);
    assert.match(text, new RegExp(`client id ${ADMIN_ID}\\n`));
    assert.match(text, new RegExp(`client secret ${ADMIN_SECRET}\\n`));
    assert.equal(/Demo API key +(\S+)/.exec(text)?.[1], DEMO_KEY);
  });

  it('accepts a token for the fixed admin credentials and lists the demo products', async () => {
    const token = await adminToken(first.controlPlane);
    assert.deepEqual(await productNames(first.controlPlane, token), ['Starter', 'Unlimited']);
    const bad = await fetch(`${first.controlPlane}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN_ID, client_secret: 'wrong' }),
    });
    assert.equal(bad.status, 401);
    const anonymous = await fetch(`${first.controlPlane}/management/v1/organizations/demo/products`);
    assert.equal(anonymous.status, 401);
  });

  it('keeps the demo key as the demo application primary key', async () => {
    const token = await adminToken(first.controlPlane);
    const apps = await fetch(`${first.controlPlane}/management/v1/organizations/demo/applications`, { headers: { authorization: `Bearer ${token}` } });
    const { items } = (await apps.json()) as { items: { id: string; name: string }[] };
    const demo = items.find((a) => a.name === 'Demo application');
    assert.ok(demo, JSON.stringify(items));
    const keys = await fetch(`${first.controlPlane}/management/v1/organizations/demo/applications/${demo.id}/keys`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await keys.json()) as { primary: string }).primary, DEMO_KEY);
  });

  it('answers /echo/hello?x=1 on the gateway with the echoed request', async () => {
    const res = await fetch(`${first.gateway}/echo/hello?x=1`, { headers: { 'x-api-key': DEMO_KEY } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { method: string; path: string; query: Record<string, string> };
    assert.equal(body.method, 'GET');
    assert.equal(body.path, '/hello');
    assert.deepEqual(body.query, { x: '1' });
  });

  it('holds the demo application to the Starter plan: the 6th call within a minute gets 429 with Retry-After, and the usage API shows the counts', async () => {
    const statuses: number[] = [];
    let refusal: Response | null = null;
    let lastRemaining: string | null = null;
    for (let i = 0; i < 6 && refusal === null; i++) {
      const res = await fetch(`${first.gateway}/echo/limits`, { headers: { 'x-api-key': DEMO_KEY } });
      statuses.push(res.status);
      if (res.status === 429) refusal = res;
      else {
        lastRemaining = res.headers.get('ratelimit-remaining');
        await res.arrayBuffer();
      }
    }
    // One call was made by the test above within the same minute: the 5th call here is the 6th.
    assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
    assert.equal(lastRemaining, '0');
    assert.equal(((await refusal!.json()) as { code: string }).code, 'PORTICO_RATE_LIMITED');
    assert.ok(Number(refusal!.headers.get('retry-after')) >= 1);
    assert.equal(refusal!.headers.get('ratelimit-limit'), '5');

    const token = await adminToken(first.controlPlane);
    const auth = { authorization: `Bearer ${token}` };
    const apps = (await (await fetch(`${first.controlPlane}/management/v1/organizations/demo/applications`, { headers: auth })).json()) as { items: { id: string; name: string }[] };
    const demo = apps.items.find((a) => a.name === 'Demo application')!;
    const usage = (await (await fetch(`${first.controlPlane}/management/v1/organizations/demo/applications/${demo.id}/usage`, { headers: auth })).json()) as {
      coverage: string;
      limits: { type: string; limit: number; used: number }[];
    };
    assert.equal(usage.coverage, 'gateway');
    assert.deepEqual(
      usage.limits.map((l) => [l.type, l.limit, Math.round(l.used)]).sort(),
      [
        ['quota', 100, 5],
        ['rate-limit', 5, 5],
      ],
    );
    const reset = await fetch(`${first.controlPlane}/management/v1/organizations/demo/applications/${demo.id}/usage/reset`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(reset.status, 200, await reset.clone().text());
    assert.ok(((await reset.json()) as { removed: number }).removed >= 2);
    const after = await fetch(`${first.gateway}/echo/limits`, { headers: { 'x-api-key': DEMO_KEY } });
    assert.equal(after.status, 200);
    assert.equal(after.headers.get('ratelimit-remaining'), '4');
  });

  it('answers /healthz and /readyz with 200 on both ports', async () => {
    for (const base of [first.controlPlane, first.gateway]) {
      for (const path of ['/healthz', '/readyz']) {
        const res = await fetch(`${base}${path}`);
        assert.equal(res.status, 200, `${base}${path}: ${await res.text()}`);
      }
    }
  });

  it('keeps its files in --data-dir (over PORTICO_DATA_DIR and the working directory)', () => {
    const files = readdirSync(dataDir);
    for (const f of ['portico.db', 'master.key', 'gateway.token']) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    assert.ok(first.output().includes(`Data            ${dataDir}/portico.db`));
    assert.equal(existsSync(decoyDir), false);
    assert.equal(existsSync(join(cwd, '.portico')), false);
  });

  it('exits 0 on SIGTERM', async () => {
    const { code, signal } = await stop(first);
    assert.equal(signal, null);
    assert.equal(code, 0, first.output());
    await assert.rejects(fetch(`${first.controlPlane}/healthz`));
  });

  it('starts again on the same data dir (from PORTICO_DATA_DIR) without first-start credentials and keeps the data', async () => {
    // No --data-dir: PORTICO_DATA_DIR names the directory. The bootstrap variables are ignored now.
    again = await start([], { PORTICO_DATA_DIR: dataDir, PORTICO_ADMIN_CLIENT_ID: ADMIN_ID, PORTICO_ADMIN_CLIENT_SECRET: ADMIN_SECRET, PORTICO_DEMO_API_KEY: DEMO_KEY }, cwd);
    const text = again.output();
    assert.match(text, /Portico is running\./);
    assert.doesNotMatch(text, /First start/);
    assert.doesNotMatch(text, /client secret/);
    assert.doesNotMatch(text, /Demo API key/);
    assert.ok(!text.includes(ADMIN_SECRET));
    assert.ok(!text.includes(DEMO_KEY));
    assert.ok(text.includes(`Data            ${dataDir}/portico.db`));
    // The service key from the first start still works, and the demo data is still there (not seeded twice).
    assert.deepEqual(await productNames(again.controlPlane, await adminToken(again.controlPlane)), ['Starter', 'Unlimited']);
    assert.equal(existsSync(join(cwd, '.portico')), false);
  });

  it(
    'serves the demo Echo API after a restart on another control-plane port',
    async () => {
      assert.ok(again, 'the restarted instance is running');
      const res = await fetch(`${again.gateway}/echo/hello`, { headers: { 'x-api-key': DEMO_KEY } });
      assert.equal(res.status, 200, await res.text());
    },
  );

  it('exits 0 on SIGTERM after a restart', async () => {
    assert.ok(again, 'the restarted instance is running');
    const { code } = await stop(again);
    assert.equal(code, 0, again.output());
  });

  it('refuses a bad port flag', async () => {
    const p = portico(['start', '--port', 'eighty', '--data-dir', join(root, 'never')], {}, cwd);
    const { code } = await p.exited;
    assert.notEqual(code, 0);
    assert.match(p.output(), /expected a port number/);
    assert.equal(existsSync(join(root, 'never')), false);
  });
});
