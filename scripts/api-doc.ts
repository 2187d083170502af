// Renders docs/management-api.md from the management API's generated OpenAPI document.
// `npm run docs:api` rewrites it; test/management/api-doc.test.ts fails while it is stale.
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createControlPlane } from '../src/management/app.ts';
import { Sealer, newMasterKey } from '../src/core/crypto.ts';
import { systemClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import { Authenticator } from '../src/services/auth.ts';
import { openStore } from '../src/store/index.ts';

export const API_DOC = fileURLToPath(new URL('../docs/management-api.md', import.meta.url));

/** The OpenAPI document of a control plane that is built but not listening. */
export async function openApiDocument(): Promise<any> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-doc-'));
  const store = await openStore('sqlite', dir);
  const services = { store, sealer: new Sealer(newMasterKey()), clock: systemClock };
  const app = createControlPlane({ services, auth: new Authenticator(services, 'http://127.0.0.1:8001'), publicUrl: 'http://127.0.0.1:8001', logger: createLogger('silent') });
  try {
    const res = await app.inject({ method: 'GET', url: '/management/v1/openapi.json' });
    return res.json();
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderApiDoc(doc: any): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      const tag = op.tags?.[0] ?? 'Other';
      const rows = byTag.get(tag) ?? [];
      rows.push(`| \`${method.toUpperCase()}\` | \`${path}\` | ${op.summary ?? ''} |`);
      byTag.set(tag, rows);
    }
  }
  let out = `# Management API reference

Base URL: \`http://127.0.0.1:8001/management/v1\`. The machine-readable description is the OpenAPI 3.1
document at \`/management/v1/openapi.json\`, generated from the schemas that validate every request; this
page is rendered from it (\`npm run docs:api\`).

- Authenticate with \`Authorization: Bearer <token>\` (from \`POST /oauth/token\`, client credentials) or
  the console session cookie (from \`POST /sessions\`).
- Bodies are JSON, validated strictly: wrong types, missing fields, unknown fields and over-long strings
  answer \`422 PORTICO_VALIDATION_FAILED\` with every violation and its JSON pointer.
- Reads return an \`ETag\`; send it as \`If-Match\` with \`PATCH\`/\`DELETE\` to get \`412\` instead of
  overwriting someone else's change.
- Lists take \`limit\` (1–200, default 50) and \`cursor\` and answer \`{ items, nextCursor }\`.
- Errors are \`application/problem+json\`: see [errors.md](errors.md).

`;
  for (const [tag, rows] of [...byTag.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out += `## ${tag}\n\n| method | path | what it does |\n| --- | --- | --- |\n${rows.join('\n')}\n\n`;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(API_DOC, renderApiDoc(await openApiDocument()));
}
