import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateLimitHeaders } from './headers.ts';

describe('rate limit headers', () => {
  it('rounds reset and retry times up to whole seconds', () => {
    assert.deepEqual(rateLimitHeaders({ allowed: false, limit: 10, remaining: 0, resetMs: 1001, retryAfterMs: 1 }), {
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '2',
      'Retry-After': '1',
    });
  });

  it('has no Retry-After on an allowed call', () => {
    const h = rateLimitHeaders({ allowed: true, limit: 10, remaining: 9, resetMs: 60_000, retryAfterMs: 0 });
    assert.equal(h['Retry-After'], undefined);
    assert.equal(h['RateLimit-Reset'], '60');
  });

  it('promises nothing when the store could not count', () => {
    assert.deepEqual(rateLimitHeaders({ allowed: true, limit: 10, remaining: 10, resetMs: 0, retryAfterMs: 0, degraded: true }), {});
  });
});
