// docs/portico-config.schema.json is the TypeBox schema of the declarative configuration
// (PORTICO_UPDATE_DOCS=1 rewrites it); examples/petstore.yaml validates against the published file.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { ConfigDocument } from '../../src/services/declarative/schema.ts';

const FILE = fileURLToPath(new URL('../../docs/portico-config.schema.json', import.meta.url));

describe('docs/portico-config.schema.json', () => {
  it('is the schema the server validates with', () => {
    const text = `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...JSON.parse(JSON.stringify(ConfigDocument)) }, null, 2)}\n`;
    if (process.env.PORTICO_UPDATE_DOCS === '1') writeFileSync(FILE, text);
    assert.equal(readFileSync(FILE, 'utf8'), text, 'stale: run PORTICO_UPDATE_DOCS=1 npm test -- test/declarative/schema-doc.test.ts');
  });

  it('accepts examples/petstore.yaml and refuses a plain secret', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(FILE, 'utf8')));
    const example = parseYaml(readFileSync(new URL('../../examples/petstore.yaml', import.meta.url), 'utf8'));
    assert.ok(validate(example), JSON.stringify(validate.errors));
    assert.equal(validate({ portico: 1, namedValues: [{ name: 'k', secret: true, value: 'plain' }] }), false);
  });
});
