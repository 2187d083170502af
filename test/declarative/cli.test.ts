// Configuration as code over HTTP: GET …/config and POST …/config/apply on both dialects, and the
// `portico apply | diff | export` commands against a running control plane.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { readConfigFile } from '../../src/services/declarative/file.ts';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';
import { DIALECTS } from '../helpers/stores.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/petstore.yaml');

for (const dialect of DIALECTS) {
  describe(`configuration endpoints on ${dialect}`, () => {
    let p: TestPortico;
    before(async () => {
      p = await startTestPortico(dialect);
      assert.equal((await p.admin.post('/organizations', { id: 'petstore', name: 'Petstore' })).status, 201);
    });
    after(async () => p.close());

    it('applies with dryRun, then for real, then exports what it applied', async () => {
      const { document, env } = await readConfigFile(EXAMPLE, { PETSTORE_TOKEN: 't' });
      const dry = await p.admin.post('/organizations/petstore/config/apply?dryRun=true', { document, env });
      assert.equal(dry.status, 200, JSON.stringify(dry.body));
      assert.equal(dry.body.applied, false);
      assert.ok(dry.body.changes.length > 10);
      assert.equal((await p.admin.get('/organizations/petstore/apis')).body.items.length, 0);
      const real = await p.admin.post('/organizations/petstore/config/apply', { document, env });
      assert.equal(real.body.applied, true);
      assert.deepEqual(real.body.changes, dry.body.changes);
      const yaml = await p.admin.get('/organizations/petstore/config', { accept: 'application/yaml' });
      assert.match(yaml.headers.get('content-type') ?? '', /yaml/);
      const again = await p.admin.call('POST', '/organizations/petstore/config/apply?prune=true', JSON.stringify({ document: yaml.body, env }));
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.deepEqual(again.body.changes, [], 'the YAML export applies (with prune) as no change');
    });

    it('refuses bad documents with every violation, and non-admins', async () => {
      const bad = await p.admin.call('POST', '/organizations/petstore/config/apply', 'portico: 1\nbackends:\n  - name: x\n    targetz: []\n', { 'content-type': 'application/yaml' });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.code, 'PORTICO_VALIDATION_FAILED');
      assert.ok(bad.body.errors.some((e: any) => e.pointer === '/backends/0/targetz'));
      const publisher = await p.serviceClient('petstore', 'publisher');
      assert.equal((await publisher.get('/organizations/petstore/config')).status, 403);
    });
  });
}

describe('portico apply, diff and export', () => {
  let p: TestPortico;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const portico = (...args: string[]) => run(process.execPath, [join(ROOT, 'bin/portico.js'), ...args], { env, cwd: dir });
  before(async () => {
    p = await startTestPortico('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'portico-cli-'));
    await p.admin.post('/organizations', { id: 'petstore', name: 'Petstore' });
    const key = await p.admin.post('/organizations/petstore/service-keys', { name: 'gitops', role: 'admin' });
    env = { ...process.env, PORTICO_URL: p.url, PORTICO_CLIENT_ID: key.body.clientId, PORTICO_CLIENT_SECRET: key.body.clientSecret, PETSTORE_TOKEN: 'secret-from-env' };
  });
  after(async () => {
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('diff, apply, diff again, export, and apply the export to an edit', async () => {
    const first = await portico('diff', '-f', EXAMPLE);
    assert.match(first.stdout, /\+ create api Petstore/);
    const applied = await portico('apply', '-f', EXAMPLE);
    assert.match(applied.stdout, /Applied \d+ changes/);
    assert.equal((await portico('diff', '-f', EXAMPLE)).stdout, 'No changes: the organization matches the file.\n');
    const out = join(dir, 'petstore.yaml');
    await portico('export', '--org', 'petstore', '-o', out);
    const exported = parseYaml(readFileSync(out, 'utf8'));
    assert.equal(exported.organization, 'petstore');
    assert.ok(!readFileSync(out, 'utf8').includes('secret-from-env'));
    exported.products.find((x: any) => x.name === 'Petstore').plans.find((x: any) => x.name === 'Gold').policies[0].config.limit = 20000;
    writeFileSync(out, JSON.stringify(exported));
    const diff = await portico('diff', '-f', out);
    assert.match(diff.stdout, /~ new-version plan Petstore\/Gold \(version 2\)/);
    await portico('apply', '-f', out);
    const plans = await p.admin.get(`/organizations/petstore/products/${(await p.admin.get('/organizations/petstore/products')).body.items.find((x: any) => x.name === 'Petstore').id}/plans`);
    assert.deepEqual(plans.body.items.filter((x: any) => x.name === 'Gold').map((x: any) => `${x.planVersion}:${x.status}`).sort(), ['1:locked', '2:locked']);
  });

  it('fails with the reason and a non-zero exit', async () => {
    await assert.rejects(portico('apply', '-f', join(dir, 'missing.yaml')), (e: any) => e.code === 1 && /missing\.yaml/.test(e.stderr));
    await assert.rejects(run(process.execPath, [join(ROOT, 'bin/portico.js'), 'diff', '-f', EXAMPLE], { env: { ...env, PETSTORE_TOKEN: undefined }, cwd: dir }), (e: any) => e.code === 1 && /PETSTORE_TOKEN/.test(e.stderr));
  });
});
