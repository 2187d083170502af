import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Arg } from './redis-scripts.ts';
import { DecisionBatch } from './decision-batch.ts';

/** A sender that records each call and answers, per key, five numbers derived from the key's position in the call. */
function recorder(fail = false): { calls: Array<{ keys: string[]; args: Arg[] }>; send: (keys: string[], args: Arg[]) => Promise<number[]> } {
  const calls: Array<{ keys: string[]; args: Arg[] }> = [];
  return {
    calls,
    send: async (keys, args) => {
      calls.push({ keys, args });
      if (fail) throw new Error('redis went away');
      return keys.flatMap((_, i) => [1, 100 + i, 200 + i, 0, i]);
    },
  };
}

describe('decision batch', () => {
  it('sends the decisions of one event-loop turn in one call, in order, and answers each caller its own reply', async () => {
    const { calls, send } = recorder();
    const batch = new DecisionBatch(send);
    const replies = Promise.all([
      batch.decide('s', 'k1', 10, 60_000, 1_000, 1, 'c'),
      batch.decide('g', 'k2', 5, 1_000, 1_000, 2, 'p'),
      batch.decide('k', 'k3', 100, 9_999, 1_000, 1, 'a'),
    ]);
    assert.equal(calls.length, 0, 'nothing is sent before the turn ends');
    assert.deepEqual(await replies, [
      [1, 100, 200, 0, 0],
      [1, 101, 201, 0, 1],
      [1, 102, 202, 0, 2],
    ]);
    assert.deepEqual(calls, [{ keys: ['k1', 'k2', 'k3'], args: ['s', 10, 60_000, 1_000, 1, 'c', 'g', 5, 1_000, 1_000, 2, 'p', 'k', 100, 9_999, 1_000, 1, 'a'] }]);
    // The next turn starts a call of its own.
    await batch.decide('s', 'k4', 10, 60_000, 2_000, 1, 'c');
    assert.deepEqual(calls.map((c) => c.keys), [['k1', 'k2', 'k3'], ['k4']]);
  });

  it('splits a turn larger than one call may carry', async () => {
    const { calls, send } = recorder();
    const batch = new DecisionBatch(send, 2);
    const replies = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => batch.decide('g', k, 1, 1_000, 0, 1, 'c')));
    assert.deepEqual(calls.map((c) => c.keys), [['a', 'b'], ['c', 'd'], ['e']]);
    assert.deepEqual(replies.map((r) => r[4]), [0, 1, 0, 1, 0], 'each reply comes from its own call');
  });

  it('a failed call rejects every decision it carried, and only those', async () => {
    const failing = recorder(true);
    const batch = new DecisionBatch(failing.send);
    const outcomes = await Promise.allSettled([batch.decide('s', 'x', 1, 1_000, 0, 1, 'c'), batch.decide('s', 'y', 1, 1_000, 0, 1, 'c')]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /redis went away/);
  });

  it('a sender that throws at once rejects the batch instead of the caller', async () => {
    const batch = new DecisionBatch(() => {
      throw new Error('not connected');
    });
    await assert.rejects(batch.decide('k', 'q', 1, 1_000, 0, 1, 'c'), /not connected/);
  });
});
