import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { currentRevision, type Store } from '../store/index.ts';

/**
 * Prometheus metrics of the control plane at `/metrics` (text format 0.0.4), names prefixed
 * `portico_`. Labels use the route template, never the raw URL, so cardinality stays bounded.
 */
export function metricsRoutes(app: FastifyInstance, store: Store): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'portico_control_plane_' });
  const requests = new Counter({
    name: 'portico_management_requests_total',
    help: 'Control-plane HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'portico_management_request_duration_seconds',
    help: 'Control-plane request duration',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'portico_config_revision',
    help: 'Current configuration revision (what gateways converge to)',
    registers: [registry],
    async collect() {
      this.set(await currentRevision(store.db));
    },
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}
