// Imports every document of @readme/oas-examples (Swagger 2.0, OpenAPI 3.0 and 3.1; JSON and YAML)
// through the import service on SQLite and on PostgreSQL (same outcome for every document). Each one imports cleanly or is refused with a precise
// reason; the tally is docs/openapi-import.md (PORTICO_UPDATE_DOCS=1 rewrites it).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/stores.ts';
import { fileURLToPath } from 'node:url';
import { PorticoError } from '../../src/core/errors.ts';
import { backends } from '../../src/services/backends.ts';
import { basePathFor, importApi } from '../../src/services/import/import-api.ts';
import { startTestServices, type TestServices } from '../helpers/services.ts';

const ROOT = dirname(createRequire(import.meta.url).resolve('@readme/oas-examples/package.json'));
const DOC = fileURLToPath(new URL('../../docs/openapi-import.md', import.meta.url));

function documents(dir: string, depth = 0): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (/^(2\.0|3\.0|3\.1|json|yaml|openapi-workshop)$/.test(name)) out.push(...documents(path, depth + 1));
    } else if (depth >= 2 && /\.(json|yaml)$/.test(name)) out.push(path);
  }
  return out.sort();
}

interface Outcome {
  file: string;
  result: 'imported' | 'imported-with-backend' | 'refused';
  operations: number;
  reason: string;
}

const byDialect = new Map<string, Outcome[]>();

for (const dialect of DIALECTS) describe(`importing every @readme/oas-examples document (${dialect})`, () => {
  let s: TestServices;
  const outcomes: Outcome[] = [];
  byDialect.set(dialect, outcomes);
  before(async () => {
    s = await startTestServices(dialect, ['examples']);
  });
  after(async () => s.close());

  it('imports each document or refuses it with a precise reason', async () => {
    const fallback = await backends.create(s.ctx, 'examples', { name: 'fallback', targets: [{ url: 'http://127.0.0.1:9' }] });
    const files = documents(ROOT);
    assert.ok(files.length > 100, `found ${files.length} documents`);
    for (const path of files) {
      const file = relative(ROOT, path);
      const options = { source: { path }, name: file, basePath: basePathFor(file) };
      try {
        const r = await importApi(s.ctx, 'examples', options);
        outcomes.push({ file, result: 'imported', operations: r.api.operations.length, reason: '' });
      } catch (error) {
        assert.ok(error instanceof PorticoError, `${file}: ${String(error)}`);
        if (error.code === 'PORTICO_VALIDATION_FAILED' && /no absolute http\(s\) server/.test(error.message)) {
          const r = await importApi(s.ctx, 'examples', { ...options, backendId: fallback.entity.id });
          outcomes.push({ file, result: 'imported-with-backend', operations: r.api.operations.length, reason: 'no absolute server URL: imported with an existing backend' });
          continue;
        }
        assert.equal(error.code, 'PORTICO_OPENAPI_INVALID', `${file}: ${error.code} ${error.message}`);
        const errors = error.details?.errors as { message: string; line: number | null; location: string }[];
        assert.ok(errors.length > 0 && errors.every((e) => e.message && (e.line !== null || e.location)), `${file}: every error has a message and a location`);
        outcomes.push({ file, result: 'refused', operations: 0, reason: errors.map((e) => `${e.message}${e.line ? ` (line ${e.line})` : ` at ${e.location}`}`).join('; ') });
      }
    }
    const refused = outcomes.filter((o) => o.result === 'refused').map((o) => o.file);
    assert.ok(refused.includes('3.0/json/openapi-workshop/post.json'), 'the invalid-on-purpose workshop document is refused');
    const workshop = outcomes.find((o) => o.file === '3.0/json/openapi-workshop/post.json')!;
    assert.match(workshop.reason, /MINPROPERTIES .*\(line 28\)/);
  });

  if (dialect !== 'sqlite') {
    it('gives every document the same outcome as on SQLite', () => {
      const sqlite = byDialect.get('sqlite')!;
      assert.equal(outcomes.length, sqlite.length);
      assert.deepEqual(outcomes, sqlite);
    });
    return;
  }

  it('matches docs/openapi-import.md', () => {
    const count = (r: Outcome['result'], v?: string) => outcomes.filter((o) => o.result === r && (!v || o.file.startsWith(v))).length;
    const total = (v?: string) => outcomes.filter((o) => !v || o.file.startsWith(v)).length;
    let md = `# Importing OpenAPI documents: the @readme/oas-examples run

\`test/import/oas-examples.test.ts\` imports every document of [@readme/oas-examples](https://www.npmjs.com/package/@readme/oas-examples)
(the fixtures the ReadMe OpenAPI tooling is tested with) through Portico's import service on SQLite (and again on PostgreSQL, with the same outcome for every document), each
as its own API. A document either imports cleanly or is refused with every reason and its location.
This page is that run's result (\`PORTICO_UPDATE_DOCS=1 npm test -- test/import/oas-examples.test.ts\` rewrites it).

| specification | documents | imported | imported with an existing backend (no absolute server URL) | refused |
| --- | --- | --- | --- | --- |
`;
    for (const v of ['2.0', '3.0', '3.1']) md += `| ${v === '2.0' ? 'Swagger 2.0' : `OpenAPI ${v}`} | ${total(v)} | ${count('imported', v)} | ${count('imported-with-backend', v)} | ${count('refused', v)} |\n`;
    md += `| **all** | **${total()}** | **${count('imported')}** | **${count('imported-with-backend')}** | **${count('refused')}** |\n\n`;
    md += `Operations imported: ${outcomes.reduce((n, o) => n + o.operations, 0)}.\n\n## Refused documents\n\n| document | reason |\n| --- | --- |\n`;
    for (const o of outcomes.filter((x) => x.result === 'refused')) md += `| \`${o.file}\` | ${o.reason.replaceAll('|', '\\|').replaceAll('\n', ' ')} |\n`;
    md += `\n## Imported with an existing backend\n\nThese documents are valid but name no absolute http(s) server (none, or a relative URL); an import without\n\`backendId\` answers \`422 PORTICO_VALIDATION_FAILED\` at \`/backendId\`, and imports with one.\n\n`;
    for (const o of outcomes.filter((x) => x.result === 'imported-with-backend')) md += `- \`${o.file}\`\n`;
    if (process.env.PORTICO_UPDATE_DOCS === '1') writeFileSync(DOC, md);
    assert.equal(readFileSync(DOC, 'utf8'), md, 'docs/openapi-import.md is stale: run PORTICO_UPDATE_DOCS=1 npm test -- test/import/oas-examples.test.ts');
  });
});
