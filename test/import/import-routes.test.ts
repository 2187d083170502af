// POST …/apis/import and GET …/apis/{id}/openapi on both dialects: raw YAML and wrapped JSON,
// backend from the first server, security schemes, re-import change report, precise refusals.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startTestPortico, type Reply, type TestPortico } from '../helpers/control-plane.ts';
import { DIALECTS } from '../helpers/stores.ts';

const require = createRequire(import.meta.url);
const example = (file: string) => readFileSync(require.resolve(`@readme/oas-examples/${file}`), 'utf8');

function expect<T = any>(r: Reply<T>, status: number, what = ''): T {
  assert.equal(r.status, status, `${what} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

for (const dialect of DIALECTS) {
  describe(`OpenAPI import and export on ${dialect}`, () => {
    let p: TestPortico;
    before(async () => {
      p = await startTestPortico(dialect);
      expect(await p.admin.post('/organizations', { id: 'imp', name: 'Import' }), 201);
    });
    after(async () => p.close());

    it('imports a raw YAML Swagger 2.0 document: backend from host/basePath, key header and OAuth recorded', async () => {
      const r = await p.admin.call('POST', '/organizations/imp/apis/import?name=Pets%202&basePath=/pets2', example('2.0/yaml/petstore.yaml'), { 'content-type': 'application/yaml' });
      const body = expect(r, 201, 'import');
      assert.equal(body.created, true);
      assert.equal(body.format, 'swagger-2.0');
      assert.equal(body.api.name, 'Pets 2');
      assert.equal(body.api.basePath, '/pets2');
      assert.equal(body.api.operations.length, 20);
      assert.deepEqual(body.backend.targets, [{ url: 'http://petstore.swagger.io/v2', weight: 1 }]);
      assert.equal(body.api.backendId, body.backend.id);
      assert.deepEqual(body.security.apiKey, { in: 'header', name: 'api_key' });
      assert.equal(body.security.oauth2, true);
      assert.ok(body.warnings.some((w: string) => w.includes('api_key')), 'an underscore header cannot be the key header: warned');
      assert.equal(body.api.openapi, undefined, 'the document is not part of the API resource');
      const list = expect(await p.admin.get('/organizations/imp/apis'), 200);
      assert.ok(list.items.every((a: any) => a.openapi === undefined));
    });

    it('imports a wrapped JSON OpenAPI 3.1 document and exports it with the gateway as server', async () => {
      const doc = JSON.parse(example('3.1/json/petstore.json'));
      const body = expect(await p.admin.post('/organizations/imp/apis/import', { document: doc, basePath: '/pets31' }), 201);
      assert.equal(body.format, 'openapi-3.1');
      assert.equal(body.api.name, doc.info.title);
      const exported = expect(await p.admin.get(`/organizations/imp/apis/${body.api.id}/openapi`), 200);
      assert.deepEqual(exported.servers, [{ url: 'http://127.0.0.1:8000/pets31', description: 'Portico gateway' }]);
      assert.equal(Object.keys(exported.paths).length, Object.keys(doc.paths).length);
      assert.ok(!JSON.stringify(exported.paths).includes('"$ref":"#/components/schemas/Pet"'), 'dereferenced');
      const yaml = await p.admin.get(`/organizations/imp/apis/${body.api.id}/openapi`, { accept: 'application/yaml' });
      assert.equal(yaml.status, 200);
      assert.match(yaml.headers.get('content-type') ?? '', /yaml/);
      assert.equal(parseYaml(yaml.body as string).openapi, doc.openapi);
    });

    it('re-imports a changed document and reports added, removed and changed operations', async () => {
      const v1 = { openapi: '3.0.3', info: { title: 'Orders', version: '1' }, servers: [{ url: 'https://orders.example.com/v1' }], components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Orders-Key' } } }, security: [{ key: [] }], paths: { '/orders': { get: { operationId: 'listOrders', responses: { 200: { description: 'ok' } } } }, '/orders/{id}': { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], get: { operationId: 'getOrder', responses: { 200: { description: 'ok' } } }, delete: { responses: { 204: { description: 'gone' } } } } } };
      const created = expect(await p.admin.post('/organizations/imp/apis/import', { document: JSON.stringify(v1) }), 201);
      assert.equal(created.api.apiKeyHeader, 'X-Orders-Key');
      assert.equal(created.api.basePath, '/orders');
      const v2 = structuredClone(v1) as any;
      delete v2.paths['/orders/{id}'].delete;
      v2.paths['/orders/{id}'].get.summary = 'Read one order';
      v2.paths['/orders'].post = { operationId: 'createOrder', responses: { 201: { description: 'created' } } };
      const re = expect(await p.admin.post('/organizations/imp/apis/import', { document: v2, apiId: created.api.id }), 200);
      assert.equal(re.created, false);
      assert.deepEqual(re.changes, { added: [{ method: 'POST', path: '/orders' }], removed: [{ method: 'DELETE', path: '/orders/{id}' }], changed: [{ method: 'GET', path: '/orders/{id}', fields: ['summary'] }] });
      const kept = created.api.operations.find((o: any) => o.operationId === 'getOrder').id;
      assert.equal(re.api.operations.find((o: any) => o.operationId === 'getOrder').id, kept, 'operation ids survive a re-import');
    });

    it('refuses an invalid document with every error and its line', async () => {
      const r = await p.admin.post('/organizations/imp/apis/import', { document: example('3.0/json/openapi-workshop/post.json'), basePath: '/bad' });
      const body = expect(r, 422);
      assert.equal(body.code, 'PORTICO_OPENAPI_INVALID');
      assert.equal(body.errors.length, 1);
      assert.equal(body.errors[0].line, 28);
      assert.match(body.errors[0].message, /MINPROPERTIES/);
      const yaml = expect(await p.admin.call('POST', '/organizations/imp/apis/import', 'openapi: 3.0.0\n  info: [', { 'content-type': 'application/yaml' }), 422);
      assert.equal(yaml.code, 'PORTICO_OPENAPI_INVALID');
      const notApi = expect(await p.admin.post('/organizations/imp/apis/import', { document: { hello: 'world' } }), 422);
      assert.equal(notApi.code, 'PORTICO_OPENAPI_INVALID');
      const noServer = expect(await p.admin.post('/organizations/imp/apis/import', { document: example('3.0/json/callbacks.json') }), 422);
      assert.equal(noServer.code, 'PORTICO_VALIDATION_FAILED');
      assert.equal(noServer.errors[0].pointer, '/backendId');
      const external = { openapi: '3.0.0', info: { title: 'x', version: '1' }, servers: [{ url: 'https://x.example' }], paths: { '/a': { get: { responses: { 200: { $ref: 'file:///etc/passwd#/x' } } } } } };
      const ext = expect(await p.admin.post('/organizations/imp/apis/import', { document: external, basePath: '/ext' }), 422, 'external refs are not resolved for documents sent over the network');
      assert.equal(ext.code, 'PORTICO_OPENAPI_INVALID');
    });

    it('needs the publisher role', async () => {
      const dev = await p.serviceClient('imp', 'developer');
      const r = await dev.post('/organizations/imp/apis/import', { document: example('3.0/json/petstore.json'), basePath: '/dev' });
      expect(r, 403);
    });
  });
}
