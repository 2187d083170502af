import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { API_DOC, openApiDocument, renderApiDoc } from '../../scripts/api-doc.ts';

it('docs/management-api.md matches the generated OpenAPI document (run npm run docs:api)', async () => {
  assert.equal(readFileSync(API_DOC, 'utf8'), renderApiDoc(await openApiDocument()));
});
