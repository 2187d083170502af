/** Fixtures for policy tests through the real gateway: an echo backend and snapshots with policies. */
import { validatePolicyConfig } from '../../src/policies/registry.ts';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { SnapshotPolicy, SnapshotPolicyScope } from '../../src/snapshot/types.ts';
import type { Gateway } from '../../src/gateway/index.ts';
import { api, backend, closeServer, echoBackend, listen, snapshot, startGateway } from '../gateway/helpers.ts';

export interface PolicyBed {
  gateway: Gateway;
  url: string;
  backendUrl: string;
  /** Replaces the policies (a new snapshot revision). */
  use(policies: PolicySpec[], namedValues?: Record<string, string>): void;
  close(): Promise<void>;
}

export interface PolicySpec {
  type: string;
  config: Record<string, unknown>;
  scope?: SnapshotPolicyScope;
  scopeId?: string | null;
  id?: string;
}

let revision = 1;

/** A public API `/t` on `org_1` proxying to an echo backend, with the given policies at API scope by default. */
export async function policyBed(policies: PolicySpec[] = [], backendServer: Server = echoBackend(), apiExtra: Parameters<typeof api>[3] = {}, logger?: Logger): Promise<PolicyBed> {
  const backendUrl = await listen(backendServer);
  const { gateway, url } = await startGateway(undefined, undefined, logger);
  const use = (list: PolicySpec[], namedValues: Record<string, string> = {}) => {
    const s = snapshot(++revision, [backend('b1', [backendUrl])], [api('api_t', '/t', 'b1', apiExtra)]);
    s.policies = list.map(
      (p, i): SnapshotPolicy => ({
        id: p.id ?? `pol_${i}`,
        organizationId: 'org_1',
        scope: { type: p.scope ?? 'api', id: p.scope === 'global' ? null : (p.scopeId ?? 'api_t') },
        type: p.type,
        config: p.config,
        position: i,
      }),
    );
    s.namedValues = Object.entries(namedValues).map(([name, value]) => ({ organizationId: 'org_1', name, value }));
    gateway.apply(s);
  };
  use(policies);
  return {
    gateway,
    url,
    backendUrl,
    use,
    async close() {
      await gateway.close();
      await closeServer(backendServer);
    },
  };
}

/** The distinct JSON pointers of the problems a config has (`['unknown-type']` for an unknown type). */
export function pointers(type: string, config: unknown, namedValues: string[] = []): string[] {
  const result = validatePolicyConfig(type, config, namedValues);
  return result === 'unknown-type' ? [result] : [...new Set(result.map((e) => e.pointer))];
}
