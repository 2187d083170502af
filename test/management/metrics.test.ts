import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPortico, type TestPortico } from '../helpers/control-plane.ts';

describe('control-plane metrics', () => {
  let p: TestPortico;
  before(async () => {
    p = await startTestPortico('sqlite');
  });
  after(async () => p.close());

  it('exposes request counts by route template and the configuration revision in Prometheus format', async () => {
    await p.admin.post('/organizations', { id: 'metrics', name: 'Metrics' });
    await p.admin.get('/organizations/metrics');
    await p.admin.get('/organizations/nope');
    const res = await fetch(`${p.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /portico_management_requests_total\{method="GET",route="\/management\/v1\/organizations\/:orgId",status="200"\} 1/);
    assert.match(text, /portico_management_requests_total\{method="GET",route="\/management\/v1\/organizations\/:orgId",status="404"\} 1/);
    const revision = Number(/^portico_config_revision (\d+)$/m.exec(text)?.[1]);
    assert.ok(revision >= 2, `revision ${revision} counts the bootstrap writes and the organization`);
    assert.doesNotMatch(text, /route="\/management\/v1\/organizations\/metrics"/, 'raw URLs never become labels');
  });
});
