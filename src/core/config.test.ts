import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('uses the defaults with no flags and no environment', () => {
    const c = loadConfig({}, {});
    assert.equal(c.dataDir, resolve('.portico'));
    assert.equal(c.database, 'sqlite');
    assert.equal(c.controlPlane.host, '127.0.0.1');
    assert.equal(c.controlPlane.port, 8001);
    assert.equal(c.controlPlane.publicUrl, 'http://127.0.0.1:8001');
    assert.equal(c.gateway.port, 8000);
    assert.equal(c.gateway.publicUrl, 'http://127.0.0.1:8000');
    assert.equal(c.gateway.workers, 1);
    assert.equal(c.masterKey, null);
    assert.deepEqual(c.bootstrap, { adminClientId: null, adminClientSecret: null, demoApiKey: null, adminPassword: null });
    assert.equal(c.logLevel, 'info');
  });

  it('takes PORTICO_* variables over the defaults', () => {
    const c = loadConfig(
      {},
      {
        PORTICO_DATA_DIR: '/tmp/env-dir',
        PORTICO_DATABASE_URL: 'postgres://db/portico',
        PORTICO_HOST: '0.0.0.0',
        PORTICO_CONTROL_PLANE_PORT: '9001',
        PORTICO_GATEWAY_PORT: '9000',
        PORTICO_GATEWAY_WORKERS: '4',
        PORTICO_MASTER_KEY: 'mk',
        PORTICO_ADMIN_CLIENT_ID: 'id',
        PORTICO_ADMIN_CLIENT_SECRET: 'secret',
        PORTICO_DEMO_API_KEY: 'demo',
        PORTICO_ADMIN_PASSWORD: 'pw',
        PORTICO_LOG_LEVEL: 'silent',
      },
    );
    assert.equal(c.dataDir, '/tmp/env-dir');
    assert.equal(c.database, 'postgres://db/portico');
    assert.equal(c.controlPlane.host, '0.0.0.0');
    assert.equal(c.controlPlane.port, 9001);
    assert.equal(c.gateway.port, 9000);
    assert.equal(c.gateway.workers, 4);
    assert.equal(c.masterKey, 'mk');
    assert.deepEqual(c.bootstrap, { adminClientId: 'id', adminClientSecret: 'secret', demoApiKey: 'demo', adminPassword: 'pw' });
    assert.equal(c.logLevel, 'silent');
  });

  it('takes flags over PORTICO_* variables', () => {
    const env = {
      PORTICO_DATA_DIR: '/tmp/env-dir',
      PORTICO_DATABASE_URL: 'postgres://db/portico',
      PORTICO_HOST: '0.0.0.0',
      PORTICO_CONTROL_PLANE_PORT: '9001',
      PORTICO_GATEWAY_PORT: '9000',
      PORTICO_GATEWAY_WORKERS: '4',
    };
    const c = loadConfig({ dataDir: '/tmp/flag-dir', database: 'sqlite', host: '::1', controlPlanePort: 7001, gatewayPort: 7000, workers: 2 }, env);
    assert.equal(c.dataDir, '/tmp/flag-dir');
    assert.equal(c.database, 'sqlite');
    assert.equal(c.controlPlane.host, '::1');
    assert.equal(c.gateway.host, '::1');
    assert.equal(c.controlPlane.port, 7001);
    assert.equal(c.gateway.port, 7000);
    assert.equal(c.gateway.workers, 2);
  });

  it('accepts port 0 from a flag and from the environment', () => {
    assert.equal(loadConfig({ controlPlanePort: 0, gatewayPort: 0 }, { PORTICO_CONTROL_PLANE_PORT: '9001' }).controlPlane.port, 0);
    assert.equal(loadConfig({}, { PORTICO_GATEWAY_PORT: '0' }).gateway.port, 0);
  });

  it('resolves a relative data directory against the working directory', () => {
    assert.equal(loadConfig({ dataDir: 'rel/dir' }, {}).dataDir, resolve('rel/dir'));
  });

  it('treats an empty port variable as unset', () => {
    assert.equal(loadConfig({}, { PORTICO_GATEWAY_PORT: '' }).gateway.port, 8000);
  });

  it('refuses a bad port from the environment', () => {
    for (const bad of ['abc', '-1', '65536', '80.5', '8000x']) {
      assert.throws(() => loadConfig({}, { PORTICO_CONTROL_PLANE_PORT: bad }), new RegExp(`PORTICO_CONTROL_PLANE_PORT must be an integer port or count, got "${bad.replace('.', '\\.')}"`));
      assert.throws(() => loadConfig({}, { PORTICO_GATEWAY_PORT: bad }), /PORTICO_GATEWAY_PORT must be/);
    }
  });

  it('takes the public URLs from the environment when set', () => {
    const c = loadConfig({}, { PORTICO_PUBLIC_URL: 'https://api.example.com', PORTICO_GATEWAY_PUBLIC_URL: 'https://gw.example.com' });
    assert.equal(c.controlPlane.publicUrl, 'https://api.example.com');
    assert.equal(c.gateway.publicUrl, 'https://gw.example.com');
  });

  it('returns a frozen object', () => {
    assert.ok(Object.isFrozen(loadConfig({}, {})));
  });

  it('reads the telemetry settings: metrics port, OTLP endpoint and access log mode', () => {
    assert.deepEqual(loadConfig({}, {}).telemetry, { metricsPort: 8002, otlpEndpoint: null, accessLog: 'off' });
    const c = loadConfig({}, { PORTICO_GATEWAY_METRICS_PORT: 'off', PORTICO_OTLP_ENDPOINT: 'http://127.0.0.1:4318', PORTICO_ACCESS_LOG: 'query' });
    assert.deepEqual(c.telemetry, { metricsPort: null, otlpEndpoint: 'http://127.0.0.1:4318', accessLog: 'query' });
    assert.equal(loadConfig({ metricsPort: 9100 }, { PORTICO_GATEWAY_METRICS_PORT: '9200' }).telemetry.metricsPort, 9100);
    assert.equal(loadConfig({}, { PORTICO_ACCESS_LOG: 'true' }).telemetry.accessLog, 'on');
    assert.throws(() => loadConfig({}, { PORTICO_OTLP_ENDPOINT: 'collector:4318' }), /PORTICO_OTLP_ENDPOINT must be an http\(s\) URL/);
    assert.throws(() => loadConfig({}, { PORTICO_ACCESS_LOG: 'yes' }), /PORTICO_ACCESS_LOG/);
  });
});
