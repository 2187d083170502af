import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer } from 'node:http';
import { closeServer, listen } from '../gateway/helpers.ts';
import { pointers, policyBed, type PolicyBed } from './helpers.ts';

interface Echo {
  url: string;
  body: string;
  headers: Record<string, string>;
}

describe('request and response rewriting: set-query, rewrite-path, set-backend, set-body, templates with named values', () => {
  let bed: PolicyBed;
  before(async () => {
    bed = await policyBed();
  });
  after(() => bed.close());

  it('sets, appends and removes query parameters, keeping the others', async () => {
    bed.use([
      { type: 'set-query', config: { name: 'v', value: '2' } },
      { type: 'set-query', config: { name: 'debug', value: null } },
      { type: 'set-query', config: { name: 'tag', value: 'b', exists: 'append' } },
      { type: 'set-query', config: { name: 'keep', value: 'no', exists: 'skip' } },
    ]);
    const seen = (await (await fetch(`${bed.url}/t/x?v=1&debug=on&tag=a&keep=yes`)).json()) as Echo;
    const q = new URL(seen.url, 'http://h').searchParams;
    assert.equal(q.get('v'), '2');
    assert.equal(q.has('debug'), false);
    assert.deepEqual(q.getAll('tag'), ['a', 'b']);
    assert.equal(q.get('keep'), 'yes');
  });

  it('rewrites the path from a template and from a pattern', async () => {
    bed.use([{ type: 'rewrite-path', config: { path: '/v2{{request.path}}' } }]);
    assert.equal(((await (await fetch(`${bed.url}/t/orders/7?a=1`)).json()) as Echo).url, '/v2/orders/7?a=1');
    bed.use([{ type: 'rewrite-path', config: { pattern: '^/orders/([0-9]+)$', replacement: '/legacy/$1' } }]);
    assert.equal(((await (await fetch(`${bed.url}/t/orders/42`)).json()) as Echo).url, '/legacy/42');
  });

  it('routes to the backend a template chooses', async () => {
    const other = createServer((req, res) => res.end(`other:${req.url}:${req.headers.host}`));
    const otherUrl = await listen(other);
    try {
      bed.use([{ type: 'choose', config: { when: [{ condition: '"x-canary" in request.headers', policies: [{ type: 'set-backend', config: { url: `${otherUrl}/base` } }] }] } }]);
      const canary = await (await fetch(`${bed.url}/t/p?q=1`, { headers: { 'x-canary': '1' } })).text();
      assert.equal(canary, `other:/base/p?q=1:${new URL(otherUrl).host}`);
      const normal = (await (await fetch(`${bed.url}/t/p`)).json()) as Echo;
      assert.equal(normal.url, '/p');
    } finally {
      await closeServer(other);
    }
  });

  it('replaces request and response bodies with templates that read the current body', async () => {
    bed.use([
      { type: 'set-body', config: { body: '{"wrapped": {{request.body}}}', contentType: 'application/json' } },
      { type: 'set-body', config: { phase: 'response', contentType: 'text/plain', body: 'backend saw {{response.body.body}}' } },
    ]);
    const res = await fetch(`${bed.url}/t/x`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    assert.equal(text, 'backend saw {"wrapped": {"a":1}}');
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
    assert.equal(res.headers.get('content-type'), 'text/plain');
  });

  it('renders secret named values into requests and never into traces of the config', async () => {
    bed.use([{ type: 'set-header', config: { name: 'Authorization', value: 'Bearer {{backendToken}}' } }], { backendToken: 's3cr3t-value' });
    const seen = (await (await fetch(`${bed.url}/t/x`)).json()) as Echo;
    assert.equal(seen.headers.authorization, 'Bearer s3cr3t-value');
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('rewrite-path', { pattern: '(', replacement: 'x' }), ['/config/pattern']);
    assert.deepEqual(pointers('rewrite-path', {}), ['/config']);
    assert.deepEqual(pointers('set-backend', { url: 'http://{{unknownName}}' }), ['/config/url']);
    assert.deepEqual(pointers('set-backend', { url: 'http://{{known}}' }, ['known']), []);
    assert.deepEqual(pointers('set-query', { name: 'a', value: 1 }), ['/config/value']);
    assert.deepEqual(pointers('set-body', { body: 'x', phase: 'sideways' }), ['/config/phase']);
  });
});
