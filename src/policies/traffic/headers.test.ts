import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderList } from '../../gateway/pipeline/header-list.ts';
import { rateLimitFields } from './headers.ts';

describe('rate limit headers', () => {
  it('rounds reset and retry times up to whole seconds', () => {
    assert.deepEqual(rateLimitFields({ allowed: false, limit: 10, remaining: 0, resetMs: 1001, retryAfterMs: 1 }), [
      'RateLimit-Limit', '10',
      'RateLimit-Remaining', '0',
      'RateLimit-Reset', '2',
      'Retry-After', '1',
    ]);
  });

  it('never tells a refused client to come back before Retry-After', () => {
    // Sliding window, 5 per minute, 5 calls in the current window: the window ends in 31 s, but the
    // previous window's weight keeps the next call refused until 43 s.
    const h = new HeaderList([]);
    h.setAll(rateLimitFields({ allowed: false, limit: 5, remaining: 0, resetMs: 30_500, retryAfterMs: 42_100 }));
    assert.equal(h.get('retry-after'), '43');
    assert.equal(h.get('ratelimit-reset'), '43');
  });

  it('has no Retry-After on an allowed call', () => {
    const h = new HeaderList([]);
    h.setAll(rateLimitFields({ allowed: true, limit: 10, remaining: 9, resetMs: 60_000, retryAfterMs: 0 }));
    assert.equal(h.get('retry-after'), undefined);
    assert.equal(h.get('ratelimit-reset'), '60');
  });

  it("replaces the backend's own fields of those names, whatever their case, and keeps the others", () => {
    const h = new HeaderList(['content-type', 'text/plain', 'ratelimit-limit', '99', 'X-Frame-Options', 'DENY', 'RATELIMIT-REMAINING', '1', 'ratelimit-limit', '98']);
    h.setAll(rateLimitFields({ allowed: true, limit: 10, remaining: 9, resetMs: 1000, retryAfterMs: 0 }));
    assert.deepEqual(h.list, ['content-type', 'text/plain', 'X-Frame-Options', 'DENY', 'RateLimit-Limit', '10', 'RateLimit-Remaining', '9', 'RateLimit-Reset', '1']);
  });

  it('promises nothing when the store could not count', () => {
    assert.deepEqual(rateLimitFields({ allowed: true, limit: 10, remaining: 10, resetMs: 0, retryAfterMs: 0, degraded: true }), []);
  });
});
