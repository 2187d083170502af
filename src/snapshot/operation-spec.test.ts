import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredOpenApi } from '../domain/api.ts';
import { operationSpecOf } from './operation-spec.ts';

const security = { apiKey: null, oauth2: false, openIdConnect: false, http: [] };

describe('operationSpecOf: what the snapshot carries of an imported operation', () => {
  it('merges path-item parameters (the operation wins) and carries the targets of the cycles left as $ref', () => {
    const node = { type: 'object', properties: { next: { $ref: '#/components/schemas/Node' } } };
    const openapi: StoredOpenApi = {
      format: 'openapi-3.0',
      security,
      document: {
        paths: {
          '/a/{id}': {
            parameters: [{ name: 'id', in: 'path', schema: { type: 'string' } }, { name: 'v', in: 'query' }],
            post: { parameters: [{ name: 'id', in: 'path', schema: { type: 'integer' } }], requestBody: { content: { 'application/json': { schema: node } } }, responses: { '200': { description: 'ok' } } },
          },
        },
        components: { schemas: { Node: node } },
      },
    };
    const spec = operationSpecOf(openapi, 'POST', '/a/{id}')!;
    assert.deepEqual(spec.parameters, [{ name: 'id', in: 'path', schema: { type: 'integer' } }, { name: 'v', in: 'query' }]);
    assert.deepEqual(Object.keys(spec.refs), ['#/components/schemas/Node']);
    assert.deepEqual(spec.responses, { '200': { description: 'ok' } });
    assert.equal(operationSpecOf(openapi, 'GET', '/a/{id}'), undefined);
    assert.equal(operationSpecOf(undefined, 'POST', '/a/{id}'), undefined);
  });

  it('gives a Swagger 2.0 operation the OpenAPI 3 shape', () => {
    const openapi: StoredOpenApi = {
      format: 'swagger-2.0',
      security,
      document: {
        produces: ['application/json'],
        paths: {
          '/pets': {
            post: {
              consumes: ['application/json', 'application/xml'],
              parameters: [
                { name: 'body', in: 'body', required: true, schema: { type: 'object' } },
                { name: 'tags', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'multi' },
              ],
              responses: { '200': { description: 'ok', schema: { type: 'object' }, examples: { 'application/json': { id: 1 } } } },
            },
          },
        },
      },
    };
    const spec = operationSpecOf(openapi, 'POST', '/pets')!;
    assert.deepEqual(spec.requestBody, { required: true, content: { 'application/json': { schema: { type: 'object' } }, 'application/xml': { schema: { type: 'object' } } } });
    assert.deepEqual(spec.parameters, [{ name: 'tags', in: 'query', required: false, schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true }]);
    assert.deepEqual(spec.responses, { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' }, example: { id: 1 } } } } });
  });
});
