import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { URL } from 'node:url';
import { call, echoBackend, json, rawRequest, type Reply } from '../gateway/helpers.ts';
import { pointers, policyBed, type PolicyBed } from './helpers.ts';

/** A chunked POST: sends `first`, waits for `between()` to resolve, then ends with `rest`. */
function chunked(port: number, first: string, rest: string, between: () => Promise<void> = async () => {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/t/upload', method: 'POST', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.write(first);
    between().then(() => req.end(rest), reject);
  });
}

describe('request-size-limit: 413 by Content-Length up front and while a chunked body streams', () => {
  let bed: PolicyBed;
  let port: number;
  let backendCalls = 0;
  /** Resolves when the backend has received the first bytes of a body (it is streaming, not buffered). */
  let firstBytes: () => void = () => {};
  before(async () => {
    const backend = echoBackend(() => void backendCalls++);
    backend.prependListener('request', (req) => req.once('data', () => firstBytes()));
    bed = await policyBed([{ type: 'request-size-limit', config: { maxBytes: 100 } }], backend);
    port = Number(new URL(bed.url).port);
  });
  after(() => bed.close());

  it('forwards a body within the limit', async () => {
    const r = await call(port, '/t/upload', { method: 'POST', body: 'x'.repeat(100) });
    assert.equal(r.status, 200);
    assert.equal(json(r).body, 'x'.repeat(100));
  });

  it('refuses a Content-Length over the limit with 413 PORTICO_BODY_TOO_LARGE without calling the backend', async () => {
    const calls = backendCalls;
    const r = await call(port, '/t/upload', { method: 'POST', body: 'x'.repeat(101) });
    assert.equal(r.status, 413);
    assert.equal(json(r).code, 'PORTICO_BODY_TOO_LARGE');
    assert.match(String(json(r).detail), /100 bytes/);
    assert.equal(backendCalls, calls);
  });

  it('refuses before sending 100 Continue', async () => {
    const res = await rawRequest(port, 'POST /t/upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n');
    assert.match(res, /^HTTP\/1\.1 413 /);
    assert.doesNotMatch(res, /100 Continue/);
    assert.match(res, /connection: close/i);
  });

  it('streams a chunked body within the limit to the backend before the client has finished it', async () => {
    const arrived = new Promise<void>((resolve) => (firstBytes = resolve));
    const r = await chunked(port, 'a'.repeat(60), 'b'.repeat(40), () => arrived);
    assert.equal(r.status, 200);
    assert.equal(json(r).body, 'a'.repeat(60) + 'b'.repeat(40));
  });

  it('refuses a chunked body that grows over the limit with 413', async () => {
    const arrived = new Promise<void>((resolve) => (firstBytes = resolve));
    const r = await chunked(port, 'a'.repeat(60), 'b'.repeat(60), () => arrived);
    assert.equal(r.status, 413);
    assert.equal(json(r).code, 'PORTICO_BODY_TOO_LARGE');
  });

  it('holds a policy that reads the body to the same limit', async () => {
    bed.use([
      { type: 'request-size-limit', config: { maxBytes: 100 } },
      { type: 'set-body', config: { body: 'seen {{request.body}}' } },
    ]);
    assert.equal(json(await chunked(port, 'a'.repeat(60), 'b'.repeat(60))).code, 'PORTICO_BODY_TOO_LARGE');
    assert.equal(json(await chunked(port, 'a'.repeat(60), 'b'.repeat(10))).body, `seen ${'a'.repeat(60)}${'b'.repeat(10)}`);
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('request-size-limit', { maxBytes: -1 }), ['/config/maxBytes']);
    assert.deepEqual(pointers('request-size-limit', { maxBytes: 1.5 }), ['/config/maxBytes']);
    assert.deepEqual(pointers('request-size-limit', {}), ['/config']);
    assert.deepEqual(pointers('request-size-limit', { maxBytes: 1024 }), []);
  });
});
