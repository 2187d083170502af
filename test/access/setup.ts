/** A control plane (SQLite) and a gateway node following it, with helpers to build access fixtures. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayNode, type RunningGateway } from '../../src/cli/gateway-node.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { LimitsSettings } from '../../src/gateway/limits/index.ts';
import type { UsageSource } from '../../src/services/usage.ts';
import { startTestPortico, type Client, type TestPortico } from '../helpers/control-plane.ts';

export interface AccessWorld {
  p: TestPortico;
  admin: Client;
  gw: RunningGateway;
  gateway: string;
  org: string;
  backendId: string;
  close(): Promise<void>;
  /** Resolves once the gateway serves the control plane's current revision. */
  synced(): Promise<void>;
  api(body: Record<string, unknown>): Promise<string>;
  product(apiIds: string[], extra?: Record<string, unknown>): Promise<{ productId: string; planId: string }>;
  application(name: string): Promise<{ id: string; clientId: string; clientSecret: string; primary: string; secondary: string }>;
  contract(applicationId: string, productId: string, planId: string): Promise<{ id: string; status: string }>;
}

export async function startAccessWorld(org: string, options: { usage?: UsageSource; limits?: LimitsSettings } = {}): Promise<AccessWorld> {
  const p = await startTestPortico('sqlite', options.usage ? { usage: options.usage } : {});
  const gwDir = mkdtempSync(join(tmpdir(), 'portico-access-gw-'));
  const gw = await startGatewayNode({ host: '127.0.0.1', port: 0, workers: 1, controlPlaneUrl: p.url, token: p.cp.gatewayToken, dataDir: gwDir, logger: createLogger('silent'), ...(options.limits ? { limits: options.limits } : {}) });
  const gateway = `http://127.0.0.1:${gw.port}`;
  const admin = p.admin;
  const ok = <T>(r: { status: number; body: T }, status = 201): T => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    return r.body;
  };
  ok(await admin.post('/organizations', { id: org, name: org }));
  const backendId = ok(await admin.post(`/organizations/${org}/backends`, { name: 'echo', targets: [{ url: `${p.url}/echo-service` }] })).id as string;
  const base = `/organizations/${org}`;
  let plans = 0;
  return {
    p,
    admin,
    gw,
    gateway,
    org,
    backendId,
    async close() {
      await gw.close();
      await p.close();
      rmSync(gwDir, { recursive: true, force: true });
    },
    async synced() {
      const revision = Number((await p.cp.services.store.db.selectFrom('config_revision').select('revision').executeTakeFirstOrThrow()).revision);
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const r = await fetch(`${gateway}/readyz`);
        if (r.status === 200 && ((await r.json()) as { revision: number }).revision >= revision) return;
        await new Promise((res) => setTimeout(res, 10));
      }
      throw new Error(`gateway did not reach revision ${revision}`);
    },
    async api(body) {
      return ok(await admin.post(`${base}/apis`, { backendId, ...body })).id as string;
    },
    async product(apiIds, extra = {}) {
      const productId = ok(await admin.post(`${base}/products`, { name: `product-${++plans}`, state: 'published', approval: 'auto', apiIds, ...extra })).id as string;
      const planId = ok(await admin.post(`${base}/products/${productId}/plans`, { name: 'Gold' })).id as string;
      ok(await admin.post(`${base}/products/${productId}/plans/${planId}/lock`), 200);
      return { productId, planId };
    },
    async application(name) {
      const app = ok(await admin.post(`${base}/applications`, { name })) as { id: string; clientId: string; clientSecret: string };
      const keys = ok(await admin.get(`${base}/applications/${app.id}/keys`), 200) as { primary: string; secondary: string };
      return { id: app.id, clientId: app.clientId, clientSecret: app.clientSecret, ...keys };
    },
    async contract(applicationId, productId, planId) {
      return ok(await admin.post(`${base}/contracts`, { applicationId, productId, planId })) as { id: string; status: string };
    },
  };
}

export interface GatewayReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One GET through the gateway with node:http (keeps header case and query bytes as sent). */
export function get(base: string, path: string, headers: Record<string, string> = {}): Promise<GatewayReply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* keep text */
        }
        resolve({ status: res.statusCode!, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The problem code of a gateway refusal. */
export const codeOf = (r: GatewayReply): string | undefined => (r.body as { code?: string } | null)?.code;
