import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { WriteCoalescer } from './write-coalescer.ts';

/** A stream that records each batch it is asked to write. */
function recorder(): { stream: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Writable({
    writev(chunks, done) {
      batches.push(chunks.map((c) => String(c.chunk)));
      done();
    },
    write(chunk, _enc, done) {
      batches.push([String(chunk)]);
      done();
    },
  });
  return { stream, batches };
}

describe('write coalescer', () => {
  it('sends the writes of one event-loop turn as one batch, at the end of that turn', async () => {
    const { stream, batches } = recorder();
    const c = new WriteCoalescer();
    for (const cmd of ['a', 'b', 'c']) {
      c.hold(stream);
      stream.write(cmd);
    }
    assert.deepEqual(batches, [], 'nothing leaves before the turn ends');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [['a', 'b', 'c']]);
    // the next turn starts a batch of its own
    c.hold(stream);
    stream.write('d');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [['a', 'b', 'c'], ['d']]);
  });
});
