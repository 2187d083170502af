import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { closeServer, listen } from '../gateway/helpers.ts';
import { pointers, policyBed, type PolicyBed, type PolicySpec } from './helpers.ts';

interface Post {
  url: string;
  authorization: string | undefined;
  text: string;
  documents: Record<string, unknown>[];
}

const HOOK_SECRET = 'hook-s3cret-0042';

/** A webhook receiver: `answer` decides per POST (1-based) — a status, or 'hang' to hold it. */
function receiver(answer: (n: number) => number | 'hang' = () => 200) {
  const posts: Post[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      posts.push({ url: req.url!, authorization: req.headers.authorization, text, documents: JSON.parse(text) as Record<string, unknown>[] });
      const a = answer(posts.length);
      if (a === 'hang') held.push(res);
      else res.writeHead(a).end();
    });
  });
  return {
    server,
    posts,
    held,
    delivered: () => posts.flatMap((p) => p.documents),
  };
}

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Calls `/t/<i>` n times one after the other; returns the request ids the gateway answered with. */
async function calls(bed: PolicyBed, n: number, headers: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${bed.url}/t/${i}`, { headers });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    ids.push(res.headers.get('x-request-id')!);
  }
  return ids;
}

describe('log-to-webhook: batched, bounded, off the request path', () => {
  let bed: PolicyBed | null = null;
  let hook: ReturnType<typeof receiver> | null = null;
  let lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });

  async function start(config: Record<string, unknown>, answer?: (n: number) => number | 'hang', extra: PolicySpec[] = []) {
    lines = [];
    hook = receiver(answer);
    const hookUrl = await listen(hook.server);
    bed = await policyBed([], undefined, undefined, logger);
    bed.use(
      [{ type: 'log-to-webhook', config: { url: `${hookUrl}/in?token={{hookSecret}}`, headers: { Authorization: 'Bearer {{hookSecret}}' }, ...config } }, ...extra],
      { hookSecret: HOOK_SECRET },
    );
    return { bed, hook, hookUrl };
  }

  afterEach(async () => {
    for (const res of hook?.held ?? []) res.destroy();
    await bed?.close();
    if (hook !== null) await closeServer(hook.server);
    bed = null;
    hook = null;
  });

  it('delivers one record for exactly each call made, in batches of at most maxBatch, with the secret URL and header', async () => {
    const { bed, hook } = await start({ maxBatch: 3, maxDelayMs: 100 });
    const ids = await calls(bed, 7, { authorization: 'Bearer client-token-77', 'x-api-key': 'client-key-77' });
    await until(() => hook.delivered().length >= 7);
    await new Promise((r) => setTimeout(r, 150)); // nothing more arrives
    const docs = hook.delivered();
    assert.deepEqual(docs.map((d) => d.requestId).sort(), [...ids].sort());
    assert.ok(hook.posts.every((p) => p.documents.length <= 3));
    assert.ok(hook.posts.length < 7, `${hook.posts.length} POSTs for 7 calls`);
    assert.ok(hook.posts.every((p) => p.url === `/in?token=${HOOK_SECRET}` && p.authorization === `Bearer ${HOOK_SECRET}`));
    const first = docs.find((d) => d.requestId === ids[0])!;
    assert.equal(first.status, 200);
    assert.equal(first.method, 'GET');
    assert.equal(first.path, '/0');
    assert.deepEqual(first.api, { id: 'api_t', name: 'api_t', version: null });
    assert.equal(first.consumer, null);
    assert.equal(typeof first.latencyMs, 'number');
    assert.ok(!hook.posts.some((p) => /client-token-77|client-key-77|authorization/i.test(p.text)), 'no credential of the caller in the records');
  });

  it('answers every call while the webhook hangs, holds queueMax records, drops and counts the rest', async () => {
    const { bed, hook } = await start({ maxBatch: 1, maxDelayMs: 0, queueMax: 2 }, (n) => (n === 1 ? 'hang' : 200));
    await calls(bed, 6);
    // All six calls were answered while the webhook still holds the first POST unanswered.
    assert.equal(hook.posts.length, 1);
    assert.equal(hook.held.length, 1);
    hook.held.shift()!.writeHead(200).end();
    await until(() => hook.delivered().length === 3);
    await until(() => lines.some((l) => l.includes('"dropped":3')));
    assert.ok(!lines.join('').includes(HOOK_SECRET));
  });

  it('retries a batch the webhook failed with back-off and delivers it once', async () => {
    const { bed, hook } = await start({ maxBatch: 10, maxDelayMs: 50, retries: 3 }, (n) => (n <= 2 ? 503 : 200));
    const ids = await calls(bed, 2);
    await until(() => hook.posts.length === 3);
    assert.deepEqual(hook.posts.map((p) => p.text), [hook.posts[0]!.text, hook.posts[0]!.text, hook.posts[0]!.text]);
    assert.deepEqual(hook.posts[2]!.documents.map((d) => d.requestId).sort(), [...ids].sort());
  });

  it('answers calls when the webhook is down, counts the lost records and never logs the secret', async () => {
    const { bed, hook, hookUrl } = await start({ maxBatch: 10, maxDelayMs: 10, retries: 1 });
    await closeServer(hook.server);
    await calls(bed, 3);
    await until(() => lines.some((l) => l.includes('"lost":3')));
    assert.ok(lines.length > 0);
    assert.ok(!lines.join('').includes(HOOK_SECRET), lines.join(''));
    assert.ok(!lines.join('').includes(new URL(hookUrl).port));
  });

  it('sends what is queued when the gateway shuts down', async () => {
    const { bed, hook } = await start({ maxBatch: 100, maxDelayMs: 60_000 });
    const ids = await calls(bed, 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(hook.posts.length, 0);
    await bed.gateway.close();
    assert.deepEqual(hook.delivered().map((d) => d.requestId).sort(), [...ids].sort());
  });

  it('records a call a policy refused, with the status the client got', async () => {
    const { bed, hook } = await start({ maxBatch: 10, maxDelayMs: 10 }, undefined, [{ type: 'set-backend', config: { url: 'not a url' } }]);
    const res = await fetch(`${bed.url}/t/x`);
    assert.equal(res.status, 500);
    await until(() => hook.delivered().length === 1);
    assert.equal(hook.delivered()[0]!.status, 500);
    assert.equal(hook.delivered()[0]!.errorCode, 'PORTICO_POLICY_FAILED');
  });

  it('sends the document an expression renders, seeing the answer even without response policies', async () => {
    const { bed, hook } = await start({ maxBatch: 10, maxDelayMs: 10, document: '{"m": request.method, "s": response.status, "p": request.path}' });
    await calls(bed, 1);
    await until(() => hook.delivered().length === 1);
    assert.deepEqual(hook.delivered(), [{ m: 'GET', s: 200, p: '/0' }]);
  });

  it('refuses bad configs with a pointer to the field', () => {
    assert.deepEqual(pointers('log-to-webhook', {}), ['/config']);
    assert.deepEqual(pointers('log-to-webhook', { url: 'ftp://logs.example' }), ['/config/url']);
    assert.deepEqual(pointers('log-to-webhook', { url: 'http://logs.example/{{request.path}}' }), ['/config/url']);
    assert.deepEqual(pointers('log-to-webhook', { url: 'http://logs.example/{{token}}' }, ['token']), []);
    assert.deepEqual(pointers('log-to-webhook', { url: 'http://logs.example', headers: { 'X-App': '{{consumer.application}}' } }), ['/config/headers/X-App']);
    assert.deepEqual(pointers('log-to-webhook', { url: 'http://logs.example', headers: { 'X-Key': '{{missing}}' } }), ['/config/headers/X-Key']);
    assert.deepEqual(pointers('log-to-webhook', { url: 'http://logs.example', document: '{"a": ' }), ['/config/document']);
    assert.deepEqual(pointers('log-to-webhook', { url: 'http://logs.example', maxBatch: 0 }), ['/config/maxBatch']);
  });
});
