// The OpenAPI document: valid OpenAPI 3.1, complete (every registered route is in it with an
// operationId, or deliberately hidden), resolvable (server URL + path is where the route answers).
// And the error catalogue: every code in src/core/errors.ts is documented in docs/errors.md.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { RouteOptions } from 'fastify';
import { ERRORS } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/logger.ts';
import { createControlPlane } from '../../src/management/app.ts';
import { Authenticator } from '../../src/services/auth.ts';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';
import { DIALECTS } from '../helpers/stores.ts';

/** Routes left out of the document on purpose: probes, key set, echo, the document itself, the gateway feed. */
const HIDDEN = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /.well-known/jwks.json',
  'GET /management/v1/openapi.json',
  'GET /gateway/v1/config',
  ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'SEARCH', 'TRACE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'MKCALENDAR', 'QUERY'].flatMap((m) => [
    `${m} /echo-service`,
    `${m} /echo-service/*`,
  ]),
]);

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

for (const dialect of DIALECTS) {
  describe(`OpenAPI document on ${dialect}`, () => {
    let p: TestPortico;
    let doc: any;
    /** Every route the control plane registers, as Fastify reports them. */
    const registered: { method: string; url: string; schema: Record<string, any> | undefined }[] = [];

    before(async () => {
      p = await startTestPortico(dialect);
      const res = await fetch(`${p.api}/openapi.json`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      doc = await res.json();
      // A second control plane over the same services, only to see every route being registered.
      const app = createControlPlane({
        services: p.cp.services,
        auth: new Authenticator(p.cp.services, p.url),
        publicUrl: p.url,
        logger: createLogger('silent'),
        extend: (a) =>
          a.addHook('onRoute', (route: RouteOptions) => {
            for (const method of [route.method].flat()) if (method !== 'HEAD') registered.push({ method, url: route.url, schema: route.schema as Record<string, any> | undefined });
          }),
      });
      await app.ready();
      assert.ok(app.hasRoute({ method: 'POST', url: '/oauth/token' }));
      await app.close();
    });
    after(async () => p.close());

    it('validates as OpenAPI 3.1 with @readme/openapi-parser', async () => {
      assert.equal(doc.openapi, '3.1.0');
      const result = await validate(structuredClone(doc));
      assert.ok(result.valid, compileErrors(result));
      assert.deepEqual(result.warnings, [], compileErrors(result));
    });

    it('gives every registered route an operationId unless it is one of the hidden ones', () => {
      assert.ok(registered.length > 50, `saw only ${registered.length} routes`);
      const problems: string[] = [];
      for (const r of registered) {
        const key = `${r.method} ${r.url}`;
        if (r.schema?.hide) {
          if (!HIDDEN.has(key)) problems.push(`${key} is hidden from the document but not in HIDDEN`);
          continue;
        }
        if (!r.schema?.operationId) problems.push(`${key} has no operationId`);
        if (!r.schema?.summary) problems.push(`${key} has no summary`);
      }
      assert.deepEqual(problems, []);
    });

    it('lists every non-hidden route in the document, and nothing else', () => {
      // The hook sees routes registered after `extend`; the token endpoint (and the probes) come before it.
      const fromRoutes = [...registered.filter((r) => !r.schema?.hide).map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.url)}`), 'post /oauth/token'].sort();
      const fromDoc = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
      assert.deepEqual(fromDoc, fromRoutes);
    });

    it('has unique operationIds, a summary, a tag and a problem+json default response on every operation', () => {
      const seen = new Map<string, string>();
      const problems: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
        for (const [method, op] of Object.entries(ops)) {
          const where = `${method.toUpperCase()} ${path}`;
          if (typeof op.operationId !== 'string' || op.operationId === '') problems.push(`${where}: no operationId`);
          else if (seen.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} also used by ${seen.get(op.operationId)}`);
          else seen.set(op.operationId, where);
          if (!op.summary) problems.push(`${where}: no summary`);
          if (!Array.isArray(op.tags) || op.tags.length === 0) problems.push(`${where}: no tag`);
          if (!op.responses?.default?.content?.['application/problem+json']) problems.push(`${where}: no problem+json default response`);
          const success = Object.keys(op.responses ?? {}).filter((s) => /^2\d\d$/.test(s));
          if (success.length === 0) problems.push(`${where}: no 2xx response`);
          for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
            if (!op.parameters?.some((prm: any) => prm.in === 'path' && prm.name === name && prm.required === true)) problems.push(`${where}: path parameter ${name} undocumented`);
          }
        }
      }
      assert.deepEqual(problems, []);
    });

    it('resolves server URL + path to where each route answers', async () => {
      assert.equal(doc.servers?.length, 1);
      const server = new URL(doc.servers[0].url);
      const base = `${p.url}${server.pathname.replace(/\/$/, '')}`;
      // every parameterless GET answers 200 for an administrator at server + path
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
        if (!ops.get || path.includes('{')) continue;
        const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${p.admin.token}` } });
        assert.equal(res.status, 200, `GET ${base}${path}`);
        await res.arrayBuffer();
      }
      // and the token endpoint is where the document says it is
      assert.ok(doc.paths['/oauth/token']?.post, 'the token endpoint is documented');
      const token = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=test-admin&client_secret=test-admin-secret',
      });
      assert.equal(token.status, 200);
      await token.arrayBuffer();
    });

    it('documents the security schemes it names, and the sign-in and token routes need none', () => {
      for (const requirement of doc.security) for (const name of Object.keys(requirement)) assert.ok(doc.components.securitySchemes[name], name);
      assert.deepEqual(doc.paths['/oauth/token'].post.security, []);
      assert.deepEqual(doc.paths['/management/v1/sessions'].post.security, []);
      assert.ok(doc.paths['/oauth/token'].post.requestBody.content['application/x-www-form-urlencoded']);
    });
  });
}

describe('error catalogue', () => {
  const DOC = new URL('../../docs/errors.md', import.meta.url);

  it('documents every error code of src/core/errors.ts in docs/errors.md', () => {
    const codes = Object.keys(ERRORS);
    assert.ok(existsSync(DOC), `docs/errors.md does not exist; it must document these ${codes.length} codes:\n  ${codes.join('\n  ')}`);
    const text = readFileSync(DOC, 'utf8');
    const missing = codes.filter((code) => !new RegExp(`\\b${code}\\b`).test(text));
    assert.deepEqual(missing, [], `docs/errors.md does not mention these codes from src/core/errors.ts:\n  ${missing.join('\n  ')}`);
  });

  it('gives each documented code the HTTP status of src/core/errors.ts', () => {
    if (!existsSync(DOC)) return assert.fail('docs/errors.md does not exist');
    const text = readFileSync(DOC, 'utf8');
    const wrong: string[] = [];
    for (const [code, { status }] of Object.entries(ERRORS)) {
      // table rows look like: | `PORTICO_X` | 409 | meaning |
      const row = new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*(\\d{3})\\s*\\|`, 'm').exec(text);
      if (row && Number(row[1]) !== status) wrong.push(`${code}: docs say ${row[1]}, errors.ts says ${status}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('mentions no PORTICO_ code in docs/errors.md that src/core/errors.ts does not define', () => {
    if (!existsSync(DOC)) return assert.fail('docs/errors.md does not exist');
    const documented = new Set(readFileSync(DOC, 'utf8').match(/\bPORTICO_[A-Z0-9_]+\b/g) ?? []);
    const unknown = [...documented].filter((code) => !(code in ERRORS));
    assert.deepEqual(unknown, [], 'codes documented but not defined (renamed or removed?)');
  });
});
