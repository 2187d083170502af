import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RemoteSnapshotSource } from '../../src/gateway/index.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { api, backend, closeServer, listen, snapshot } from './helpers.ts';

/** A tiny control plane feed honouring the long-poll contract. */
function controlPlane(state: { current: Snapshot; requests: string[]; auth: string[] }): Server {
  const waiting = new Set<() => void>();
  const server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    state.requests.push(req.url!);
    state.auth.push(String(req.headers.authorization));
    if (req.headers.authorization !== 'Bearer s3cret') {
      res.writeHead(401).end();
      return;
    }
    const since = u.searchParams.get('since');
    const answer = (): void => {
      if (since === null || state.current.revision > Number(since)) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.current));
      } else res.writeHead(304).end();
    };
    if (since === null || state.current.revision > Number(since)) return answer();
    // Hold the poll for up to `wait` seconds (scaled down) or until a change.
    const t = setTimeout(done, Number(u.searchParams.get('wait')) * 10);
    function done(): void {
      clearTimeout(t);
      waiting.delete(done);
      answer();
    }
    waiting.add(done);
  });
  (server as Server & { notify: () => void }).notify = () => {
    for (const w of [...waiting]) w();
  };
  return server;
}

const snap = (rev: number) => snapshot(rev, [backend('b', ['http://127.0.0.1:9'])], [api('a', `/r${rev}`, 'b')]);

describe('RemoteSnapshotSource', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'portico-feed-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fetches the snapshot, long-polls for changes and caches each one to disk', async () => {
    const state = { current: snap(1), requests: [] as string[], auth: [] as string[] };
    const cp = controlPlane(state);
    const url = await listen(cp);
    const cacheFile = join(dir, 'a', 'snapshot.json');
    const got: number[] = [];
    const source = new RemoteSnapshotSource({ controlPlaneUrl: url, token: 's3cret', cacheFile, waitSeconds: 25 });
    try {
      await source.start((s) => got.push(s.revision));
      assert.deepEqual(got, [1]);
      assert.equal(state.requests[0], '/gateway/v1/config?wait=0');
      await new Promise((r) => setTimeout(r, 50));
      state.current = snap(2);
      (cp as Server & { notify: () => void }).notify();
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got, [1, 2]);
      assert.ok(state.requests.includes('/gateway/v1/config?since=1&wait=25'));
      assert.ok(state.auth.every((a) => a === 'Bearer s3cret'));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((JSON.parse(readFileSync(cacheFile, 'utf8')) as Snapshot).revision, 2);
    } finally {
      await source.stop();
      await closeServer(cp);
    }
  });

  it('starts from the cached snapshot when the control plane is unreachable, then catches up', async () => {
    const state = { current: snap(5), requests: [] as string[], auth: [] as string[] };
    const cacheFile = join(dir, 'b.json');
    // Fill the cache from a live control plane, then stop it.
    const cp1 = controlPlane(state);
    const url1 = await listen(cp1);
    const first = new RemoteSnapshotSource({ controlPlaneUrl: url1, token: 's3cret', cacheFile });
    await first.start(() => {});
    await first.stop();
    await closeServer(cp1);

    const got: number[] = [];
    const offline = new RemoteSnapshotSource({ controlPlaneUrl: url1, token: 's3cret', cacheFile, minBackoffMs: 20, maxBackoffMs: 50 });
    try {
      await offline.start((s) => got.push(s.revision));
      assert.deepEqual(got, [5]);
      // The control plane comes back on the same port with a newer revision.
      state.current = snap(6);
      const cp2 = controlPlane(state);
      await new Promise<void>((r) => cp2.listen(Number(new URL(url1).port), '127.0.0.1', r));
      for (let i = 0; i < 200 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got, [5, 6]);
      await offline.stop();
      await closeServer(cp2);
    } finally {
      await offline.stop();
    }
  });

  it('starts empty and keeps retrying when there is neither control plane nor cache', async () => {
    const got: number[] = [];
    const source = new RemoteSnapshotSource({ controlPlaneUrl: 'http://127.0.0.1:9', token: 'x', cacheFile: join(dir, 'none.json'), minBackoffMs: 10 });
    await source.start((s) => got.push(s.revision));
    assert.deepEqual(got, []);
    await source.stop();
  });

  it('does not deliver a snapshot refused with 401', async () => {
    const state = { current: snap(1), requests: [] as string[], auth: [] as string[] };
    const cp = controlPlane(state);
    const url = await listen(cp);
    const got: number[] = [];
    const source = new RemoteSnapshotSource({ controlPlaneUrl: url, token: 'wrong', minBackoffMs: 10 });
    await source.start((s) => got.push(s.revision));
    await source.stop();
    await closeServer(cp);
    assert.deepEqual(got, []);
  });
});
