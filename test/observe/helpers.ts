/** A gateway with a public and a key-protected API on an echo backend, and an OTLP receiver. */
import { createServer, type Server } from 'node:http';
import { sha256 } from '../../src/core/crypto.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/index.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { api, backend, closeServer, echoBackend, listen, snapshot } from '../gateway/helpers.ts';

export const KEY = 'pk_observe-secret-key-0123456789';

export interface ObservedBed {
  gateway: Gateway;
  port: number;
  backendServer: Server;
  close(): Promise<void>;
}

/**
 * `/pub` (public, operation `GET /items/{id}`), `/priv` (API key in X-API-Key or `?api-key=`), `/down`
 * (nothing listens), `/cond` (a condition that fails without X-Flag).
 */
export function observedSnapshot(backendUrl: string, revision = 7): Snapshot {
  const s = snapshot(
    revision,
    [backend('b1', [backendUrl]), backend('dead', ['http://127.0.0.1:1'])],
    [
      api('api_pub', '/pub', 'b1', { name: 'Public', operations: [{ id: 'op_item', method: 'GET', path: '/items/{id}' }] }),
      api('api_priv', '/priv', 'b1', { name: 'Private', visibility: 'private', apiKey: { header: 'X-API-Key', queryParam: 'api-key', forward: false } }),
      api('api_down', '/down', 'dead', { name: 'Down' }),
      api('api_cond', '/cond', 'b1', { name: 'Conditional' }),
    ],
  );
  // Fails (500 PORTICO_POLICY_FAILED) on a call without X-Flag: CEL's no_such_key.
  s.policies = [
    { id: 'pol_cond', organizationId: 'org_1', scope: { type: 'api', id: 'api_cond' }, type: 'choose', position: 0, config: { when: [{ condition: 'request.headers["x-flag"] == "on"', policies: [{ type: 'set-header', config: { name: 'X-Flagged', value: '1' } }] }] } },
  ];
  s.consumers = [{ applicationId: 'app_1', organizationId: 'org_1', name: 'App', ownerUserId: null, keyHashes: [sha256(KEY)], clientId: 'c1', tokensNotBefore: 0, contracts: [{ id: 'ct_1', status: 'active', productId: 'prod_1', planId: 'plan_1' }] }];
  s.products = [{ id: 'prod_1', apiIds: ['api_priv'] }];
  s.plans = [{ id: 'plan_1', name: 'Gold', version: 1 }];
  return s;
}

export async function observedBed(options: Omit<GatewayOptions, 'host' | 'port'> = {}, backendServer: Server = echoBackend()): Promise<ObservedBed> {
  const backendUrl = await listen(backendServer);
  const gateway = createGateway({ host: '127.0.0.1', port: 0, drainTimeoutMs: 2000, ...options });
  gateway.apply(observedSnapshot(backendUrl));
  const { port } = await gateway.listen();
  return {
    gateway,
    port,
    backendServer,
    async close() {
      await gateway.close();
      await closeServer(backendServer);
    },
  };
}

/** A real HTTP server taking OTLP/HTTP JSON exports; `status` is what it answers. */
export async function otlpReceiver(): Promise<{ url: string; bodies: any[]; paths: string[]; status: number; server: Server }> {
  const state = { url: '', bodies: [] as any[], paths: [] as string[], status: 200, server: null as unknown as Server };
  state.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      if (state.status === 200) state.bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
      res.writeHead(state.status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  state.url = await listen(state.server);
  return state;
}

/** Every span the receiver got, flattened. */
export function spansOf(bodies: any[]): any[] {
  return bodies.flatMap((b) => b.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)));
}

export function attr(span: any, key: string): string | undefined {
  const a = span.attributes.find((x: any) => x.key === key);
  return a === undefined ? undefined : (a.value.stringValue ?? a.value.intValue);
}

/** The value of one sample line of Prometheus text (`name{labels}`), or 0 when absent. */
export function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
