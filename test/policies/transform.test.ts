import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compilePolicy } from '../../src/policies/registry.ts';
import { call, echoBackend } from '../gateway/helpers.ts';
import { pointers, policyBed, type PolicyBed } from './helpers.ts';

interface Echo {
  url: string;
  body: string;
  headers: Record<string, string>;
}

interface Problem {
  code: string;
  detail: string;
}

/**
 * `/reply` answers with the request's own body and Content-Type (or `x-reply-type`), plus headers a
 * conversion must keep; with `x-reply-base64` the body is decoded first (the echo backend hands
 * handlers text, so raw bytes travel as base64).
 */
let backendCalls = 0;
const backendServer = echoBackend((req, res, body) => {
  backendCalls++;
  if (!req.url!.startsWith('/reply')) return false;
  const type = (req.headers['x-reply-type'] as string | undefined) ?? req.headers['content-type'] ?? 'text/plain';
  const out = req.headers['x-reply-base64'] === undefined ? Buffer.from(body) : Buffer.from(body, 'base64');
  res.writeHead(200, { 'content-type': type, 'content-length': out.length, 'x-backend': 'kept', 'cache-control': 'max-age=5' });
  res.end(out);
  return true;
});

const post = (url: string, body: string, type: string, extra: Record<string, string> = {}) => fetch(url, { method: 'POST', body, headers: { 'content-type': type, ...extra } });

describe('body conversion and find-replace: json-to-xml, xml-to-json, find-replace', () => {
  let bed: PolicyBed;
  before(async () => {
    bed = await policyBed([], backendServer);
  });
  after(() => bed.close());

  it('converts a JSON request to XML for the backend, with Content-Type application/xml and the new Content-Length', async () => {
    bed.use([{ type: 'json-to-xml', config: { root: 'order' } }]);
    const res = await post(`${bed.url}/t/x`, '{"id":7,"note":"a < b & c"}', 'application/json; charset=utf-8');
    const seen = (await res.json()) as Echo;
    assert.equal(seen.body, '<?xml version="1.0" encoding="UTF-8"?><order><id>7</id><note>a &lt; b &amp; c</note></order>');
    assert.equal(seen.headers['content-type'], 'application/xml');
    assert.equal(seen.headers['content-length'], String(Buffer.byteLength(seen.body)));
  });

  it('sends a converted chunked request with a Content-Length and no Transfer-Encoding', async () => {
    bed.use([{ type: 'xml-to-json', config: {} }]);
    const port = Number(new URL(bed.url).port);
    const reply = await call(port, '/t/x', { method: 'POST', headers: { 'content-type': 'text/xml', 'transfer-encoding': 'chunked' }, body: '<a><b>1</b></a>' });
    const seen = JSON.parse(reply.body) as Echo;
    assert.equal(seen.body, '{"a":{"b":1}}');
    assert.equal(seen.headers['content-length'], String(Buffer.byteLength(seen.body)));
    assert.equal(seen.headers['transfer-encoding'], undefined);
  });

  it("converts the backend's XML answer to JSON, keeping its other headers and fixing Content-Length", async () => {
    bed.use([{ type: 'xml-to-json', config: { phase: 'response' } }]);
    const xml = '<?xml version="1.0"?><status code="ok">up<since>2024</since></status>';
    const res = await post(`${bed.url}/t/reply`, xml, 'application/xml');
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), { status: { '#text': 'up', since: 2024, '@code': 'ok' } });
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
    assert.equal(res.headers.get('x-backend'), 'kept');
    assert.equal(res.headers.get('cache-control'), 'max-age=5');
  });

  it('gives the same data back after JSON → XML (request) → XML → JSON (response) for nested objects, arrays, numbers and booleans', async () => {
    bed.use([
      { type: 'json-to-xml', config: { root: 'doc' } },
      { type: 'xml-to-json', config: { phase: 'response', root: 'drop', alwaysArray: ['tags'] } },
    ]);
    const data = {
      id: 42,
      price: -12.75,
      active: true,
      deleted: false,
      name: 'Ünïcode & <markup> "quoted"',
      tags: ['only-one'],
      lines: [
        { sku: 'a-1', qty: 2, options: { gift: true, wrap: { colour: 'red', layers: 3 } } },
        { sku: 'b-2', qty: 1, options: { gift: false, wrap: { colour: 'blue', layers: 1 } } },
      ],
      scores: [1, 2.5, -3],
      matrix: [
        [1, 2],
        [3, 4],
      ],
      customer: { address: { city: 'Zürich', zip: 'CH-8001', code: '007' } },
    };
    const res = await post(`${bed.url}/t/reply`, JSON.stringify(data), 'application/json');
    assert.equal(res.headers.get('content-type'), 'application/json');
    const back = (await res.json()) as typeof data & { matrix: unknown };
    assert.deepEqual({ ...back, matrix: data.matrix }, data);
    // An array inside an array has no anonymous form in XML: its members come back under `item`.
    assert.deepEqual(back.matrix, [{ item: [1, 2] }, { item: [3, 4] }]);
  });

  it('keeps namespace prefixes in names and xmlns declarations as attributes, with the configured attribute prefix', async () => {
    bed.use([{ type: 'xml-to-json', config: { attributePrefix: '_' } }]);
    const soap =
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><m:price xmlns:m="urn:m" currency="EUR">9.5</m:price></soap:Body></soap:Envelope>';
    const seen = (await (await post(`${bed.url}/t/x`, soap, 'application/soap+xml; charset=utf-8')).json()) as Echo;
    assert.deepEqual(JSON.parse(seen.body), {
      'soap:Envelope': { 'soap:Body': { 'm:price': { '#text': 9.5, '_xmlns:m': 'urn:m', _currency: 'EUR' } }, '_xmlns:soap': 'http://schemas.xmlsoap.org/soap/envelope/' },
    });
  });

  it('makes listed elements arrays even with one occurrence, and repeated ones arrays anyway', async () => {
    bed.use([{ type: 'xml-to-json', config: { alwaysArray: ['order'], types: 'strings' } }]);
    const one = (await (await post(`${bed.url}/t/x`, '<orders><order>1</order><page>1</page></orders>', 'text/xml')).json()) as Echo;
    assert.deepEqual(JSON.parse(one.body), { orders: { order: ['1'], page: '1' } });
    const many = (await (await post(`${bed.url}/t/x`, '<orders><order>1</order><order>2</order><page>1</page><page>2</page></orders>', 'text/xml')).json()) as Echo;
    assert.deepEqual(JSON.parse(many.body), { orders: { order: ['1', '2'], page: ['1', '2'] } });
  });

  it('wraps a top-level JSON array in repeated item elements, writes attributes and #text, and can omit the declaration', async () => {
    bed.use([{ type: 'json-to-xml', config: { root: 'list', item: 'entry', declaration: false } }]);
    const seen = (await (await post(`${bed.url}/t/x`, '[{"@id":1,"#text":"first"},{"@id":2,"#text":"second"}]', 'application/json')).json()) as Echo;
    assert.equal(seen.body, '<list><entry id="1">first</entry><entry id="2">second</entry></list>');
  });

  it('does not expand DOCTYPE entities: a billion-laughs document converts with the references left as written', async () => {
    bed.use([{ type: 'xml-to-json', config: {} }]);
    const lol = ['<!ENTITY lol "lol">', '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">', '<!ENTITY plain "EXPANDED">'];
    for (let i = 2; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const doc = `<?xml version="1.0"?><!DOCTYPE lolz [${lol.join('')}]><lolz><a>&lol9;</a><b>&plain; &lt;&#65;&#x263A;&gt;</b></lolz>`;
    const seen = (await (await post(`${bed.url}/t/x`, doc, 'application/xml')).json()) as Echo;
    assert.deepEqual(JSON.parse(seen.body), { lolz: { a: '&lol9;', b: '&plain; <A☺>' } });
  });

  it('refuses an XXE document (external entity) with 400 PORTICO_BODY_UNPARSABLE and never calls the backend', async () => {
    bed.use([{ type: 'xml-to-json', config: {} }]);
    const before = backendCalls;
    const res = await post(`${bed.url}/t/x`, '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>', 'application/xml');
    assert.equal(res.status, 400);
    const problem = (await res.json()) as Problem;
    assert.equal(problem.code, 'PORTICO_BODY_UNPARSABLE');
    assert.doesNotMatch(problem.detail, /root:/);
    assert.equal(backendCalls, before);
  });

  it('refuses malformed XML and JSON request bodies with 400 PORTICO_BODY_UNPARSABLE saying where', async () => {
    bed.use([{ type: 'xml-to-json', config: {} }]);
    const xml = await post(`${bed.url}/t/x`, '<a>\n<b></a>', 'application/xml');
    assert.equal(xml.status, 400);
    const xmlProblem = (await xml.json()) as Problem;
    assert.equal(xmlProblem.code, 'PORTICO_BODY_UNPARSABLE');
    assert.match(xmlProblem.detail, /^xml-to-json: the body is not well-formed XML: .*\(line 2, column \d+\)$/);
    bed.use([{ type: 'json-to-xml', config: {} }]);
    const json = await post(`${bed.url}/t/x`, '{"a":', 'application/json');
    assert.equal(json.status, 400);
    assert.match(((await json.json()) as Problem).detail, /^json-to-xml: the body is not valid JSON/);
    const badName = await post(`${bed.url}/t/x`, '{"ok":{"1st place":true}}', 'application/json');
    assert.equal(badName.status, 400);
    assert.match(((await badName.json()) as Problem).detail, /the key "1st place" at \/ok\/1st place is not an XML name/);
  });

  it("answers 500 PORTICO_POLICY_FAILED when the backend's answer cannot be converted", async () => {
    bed.use([{ type: 'xml-to-json', config: { phase: 'response' } }]);
    const res = await post(`${bed.url}/t/reply`, '<broken>', 'application/xml');
    assert.equal(res.status, 500);
    const problem = (await res.json()) as Problem;
    assert.equal(problem.code, 'PORTICO_POLICY_FAILED');
    assert.match(problem.detail, /xml-to-json: the backend's answer cannot be converted/);
    assert.equal(res.headers.get('x-backend'), null);
  });

  it('leaves bodies of other content types and empty bodies unchanged, and converts any body with apply: always', async () => {
    bed.use([{ type: 'xml-to-json', config: {} }]);
    const other = (await (await post(`${bed.url}/t/x`, '<a>1</a>', 'text/plain')).json()) as Echo;
    assert.equal(other.body, '<a>1</a>');
    assert.equal(other.headers['content-type'], 'text/plain');
    const empty = (await (await fetch(`${bed.url}/t/x`)).json()) as Echo;
    assert.equal(empty.body, '');
    bed.use([{ type: 'xml-to-json', config: { apply: 'always' } }]);
    const always = (await (await post(`${bed.url}/t/x`, '<a>1</a>', 'text/plain')).json()) as Echo;
    assert.equal(always.body, '{"a":1}');
    assert.equal(always.headers['content-type'], 'application/json');
  });

  it('buffers the body of the phase it runs in and no other', () => {
    const env = { namedValues: new Map<string, string>(), policyId: 'p', scope: { type: 'api', id: null } };
    for (const type of ['json-to-xml', 'xml-to-json', 'find-replace']) {
      const extra = type === 'find-replace' ? { find: 'a', replace: 'b' } : {};
      assert.deepEqual(compilePolicy(type, { ...extra }, env).needs, { requestBody: true }, type);
      assert.deepEqual(compilePolicy(type, { ...extra, phase: 'response' }, env).needs, { responseBody: true }, type);
    }
  });

  it('replaces every occurrence of a literal string, taking $ in the replacement literally', async () => {
    bed.use([{ type: 'find-replace', config: { find: 'http://orders.internal', replace: 'https://api.example.com/$&' } }]);
    const body = '{"self":"http://orders.internal/7","next":"http://orders.internal/8"}';
    const seen = (await (await post(`${bed.url}/t/x`, body, 'application/json')).json()) as Echo;
    assert.equal(seen.body, '{"self":"https://api.example.com/$&/7","next":"https://api.example.com/$&/8"}');
    assert.equal(seen.headers['content-length'], String(Buffer.byteLength(seen.body)));
  });

  it('with ignoreCase, finds a literal in any case, special characters and non-BMP letters included', async () => {
    bed.use([{ type: 'find-replace', config: { find: 'Orders.Internal/Ä(x)𐐀', replace: '$1 ok', ignoreCase: true } }]);
    const body = 'a ORDERS.INTERNAL/ä(X)𐐨 b orders.internal/Ä(x)𐐀 c ordersXinternal/ä(x)𐐀';
    const seen = (await (await post(`${bed.url}/t/x`, body, 'text/plain')).json()) as Echo;
    // `.` and `(` are literal; the replacement is literal too
    assert.equal(seen.body, 'a $1 ok b $1 ok c ordersXinternal/ä(x)𐐀');
  });

  it('replaces a regular expression with its groups in the response, fixing Content-Length and keeping headers', async () => {
    bed.use([{ type: 'find-replace', config: { phase: 'response', regex: true, find: '([0-9]{4})-([0-9]{2})-(?<day>[0-9]{2})', replace: '$<day>.$2.$1' } }]);
    const res = await post(`${bed.url}/t/reply`, 'from 2024-03-09 to 2025-12-31', 'text/plain');
    const text = await res.text();
    assert.equal(text, 'from 09.03.2024 to 31.12.2025');
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
    assert.equal(res.headers.get('x-backend'), 'kept');
  });

  it('runs a pattern that backtracks catastrophically elsewhere on a hostile body, and answers', async () => {
    bed.use([{ type: 'find-replace', config: { regex: true, find: '(a+)+$', replace: 'x' } }]);
    const hostile = `${'a'.repeat(50000)}!`;
    const seen = (await (await post(`${bed.url}/t/x`, hostile, 'text/plain')).json()) as Echo;
    assert.equal(seen.body, hostile);
  });

  it('leaves binary bodies and bodies of unlisted content types unchanged', async () => {
    bed.use([{ type: 'find-replace', config: { find: 'a', replace: 'b', contentTypes: ['text/*'] } }]);
    const json = (await (await post(`${bed.url}/t/x`, '"a"', 'application/json')).json()) as Echo;
    assert.equal(json.body, '"a"');
    const text = (await (await post(`${bed.url}/t/x`, 'a', 'text/csv')).json()) as Echo;
    assert.equal(text.body, 'b');
    bed.use([{ type: 'find-replace', config: { phase: 'response', find: 'a', replace: 'b' } }]);
    const binary = Buffer.from([0x61, 0xff, 0xfe, 0x61]);
    const res = await post(`${bed.url}/t/reply`, binary.toString('base64'), 'text/plain', { 'x-reply-base64': '1', 'x-reply-type': 'application/octet-stream' });
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), binary);
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('json-to-xml', { root: '1st' }), ['/config/root']);
    assert.deepEqual(pointers('json-to-xml', { apply: 'sometimes' }), ['/config/apply']);
    assert.deepEqual(pointers('json-to-xml', { attributePrefix: '' }), ['/config/attributePrefix']);
    assert.deepEqual(pointers('xml-to-json', { attributePrefix: 'x' }), ['/config/attributePrefix']);
    assert.deepEqual(pointers('xml-to-json', { alwaysArray: ['a b'] }), ['/config/alwaysArray/0']);
    assert.deepEqual(pointers('xml-to-json', { phase: 'error' }), ['/config/phase']);
    assert.deepEqual(pointers('xml-to-json', { extra: 1 }), ['/config']);
    assert.deepEqual(pointers('find-replace', { find: '(a)\\1', replace: 'x', regex: true }), ['/config/find']);
    assert.deepEqual(pointers('find-replace', { find: '(?=a)a', replace: 'x', regex: true }), ['/config/find']);
    assert.deepEqual(pointers('find-replace', { find: '(', replace: 'x', regex: true }), ['/config/find']);
    assert.deepEqual(pointers('find-replace', { find: 'a*', replace: 'x', regex: true }), ['/config/find']);
    assert.deepEqual(pointers('find-replace', { find: '(a)', replace: '$2', regex: true }), ['/config/replace']);
    assert.deepEqual(pointers('find-replace', { find: '(a)', replace: '$<nope>', regex: true }), ['/config/replace']);
    assert.deepEqual(pointers('find-replace', { find: 'a', replace: 'b', multiline: true }), ['/config/multiline']);
    assert.deepEqual(pointers('find-replace', { find: 'a', replace: 'b', regex: true, ignoreCase: true }), ['/config/ignoreCase']);
    assert.deepEqual(pointers('find-replace', { find: '', replace: 'b' }), ['/config/find']);
    assert.deepEqual(pointers('find-replace', { find: 'a', replace: 'b', contentTypes: ['JSON'] }), ['/config/contentTypes/0']);
    assert.deepEqual(pointers('find-replace', { find: '(a)(b)', replace: '$2$1$$', regex: true }), []);
  });
});
