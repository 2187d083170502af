import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serveMetrics, type MetricsServer } from '../../src/gateway/observe/metrics-server.ts';
import { call } from '../gateway/helpers.ts';
import { KEY, observedBed, sample, type ObservedBed } from './helpers.ts';

describe('gateway Prometheus metrics', () => {
  let bed: ObservedBed;
  let server: MetricsServer;
  let text: string;

  before(async () => {
    bed = await observedBed();
    const registry = bed.gateway.metrics.registry;
    server = await serveMetrics('127.0.0.1', 0, registry.contentType, () => registry.metrics());
    for (let i = 0; i < 3; i++) assert.equal((await call(bed.port, `/pub/items/${i}?api-key=${KEY}`)).status, 200);
    assert.equal((await call(bed.port, '/pub/items/1', { method: 'DELETE' })).status, 405);
    assert.equal((await call(bed.port, '/nowhere/secret-path')).status, 404);
    assert.equal((await call(bed.port, '/priv/x', { headers: { 'x-api-key': KEY } })).status, 200);
    assert.equal((await call(bed.port, '/priv/x', { method: 'PROPFIND', headers: { 'x-api-key': KEY } })).status, 200);
    assert.equal((await call(bed.port, '/priv/x')).status, 401);
    assert.equal((await call(bed.port, '/down/x')).status, 502);
    assert.equal((await call(bed.port, '/cond/x', { headers: { 'x-flag': 'on' } })).status, 200);
    assert.equal((await call(bed.port, '/cond/x', { headers: { 'x-flag': 'off' } })).status, 200);
    assert.equal((await call(bed.port, '/cond/x')).status, 500);
    const r = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /text\/plain/);
    text = await r.text();
  });
  after(async () => {
    await server?.close();
    await bed?.close();
  });

  it('counts calls by API, method and status', () => {
    assert.equal(sample(text, 'portico_gateway_requests_total{api="api_pub",api_name="Public",method="GET",status="200"}'), 3);
    assert.equal(sample(text, 'portico_gateway_requests_total{api="api_priv",api_name="Private",method="GET",status="200"}'), 1);
    assert.equal(sample(text, 'portico_gateway_requests_total{api="api_priv",api_name="Private",method="GET",status="401"}'), 1);
    assert.equal(sample(text, 'portico_gateway_requests_total{api="api_down",api_name="Down",method="GET",status="502"}'), 1);
  });

  it('labels methods outside the HTTP standard set OTHER, so clients cannot mint series', () => {
    assert.equal(sample(text, 'portico_gateway_requests_total{api="api_priv",api_name="Private",method="OTHER",status="200"}'), 1);
    assert.doesNotMatch(text, /PROPFIND/);
  });

  it('never puts a path, a query or a key in a label', () => {
    assert.doesNotMatch(text, /items\/|secret-path|pk_observe/);
  });

  it('counts problem answers by code, routed or not', () => {
    assert.equal(sample(text, 'portico_gateway_refusals_total{code="PORTICO_ROUTE_NOT_FOUND"}'), 1);
    assert.equal(sample(text, 'portico_gateway_refusals_total{code="PORTICO_METHOD_NOT_ALLOWED"}'), 1);
    assert.equal(sample(text, 'portico_gateway_refusals_total{code="PORTICO_KEY_MISSING"}'), 1);
    assert.equal(sample(text, 'portico_gateway_refusals_total{code="PORTICO_UPSTREAM_UNAVAILABLE"}'), 1);
  });

  it('counts upstream failures by kind', () => {
    assert.equal(sample(text, 'portico_gateway_upstream_errors_total{api="api_down",api_name="Down",kind="unavailable"}'), 1);
  });

  it('observes gateway latency for every call and backend latency for calls the backend answered', () => {
    assert.equal(sample(text, 'portico_gateway_request_duration_seconds_count{api="api_pub",api_name="Public"}'), 3);
    assert.equal(sample(text, 'portico_gateway_backend_duration_seconds_count{api="api_pub",api_name="Public"}'), 3);
    assert.equal(sample(text, 'portico_gateway_request_duration_seconds_count{api="api_priv",api_name="Private"}'), 3);
    assert.equal(sample(text, 'portico_gateway_backend_duration_seconds_count{api="api_priv",api_name="Private"}'), 2, 'the 401 never reached the backend');
    assert.equal(sample(text, 'portico_gateway_backend_duration_seconds_count{api="api_down",api_name="Down"}'), 0);
  });

  it('counts calls on which a policy failed, by API and policy type', () => {
    assert.equal(sample(text, 'portico_gateway_policy_failures_total{api="api_cond",api_name="Conditional",policy_type="choose"}'), 1);
    assert.equal(sample(text, 'portico_gateway_requests_total{api="api_cond",api_name="Conditional",method="GET",status="500"}'), 1);
  });

  it('reports the snapshot revision being served', () => {
    assert.equal(sample(text, 'portico_gateway_snapshot_revision'), 7);
  });

  it('answers 404 for anything but /metrics on the metrics port', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/`)).status, 404);
  });
});
