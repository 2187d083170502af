/**
 * Policy chains, compiled once per snapshot (STYLE.md habit 3). A route's chain is the scopes in
 * DESIGN.md §2 order — global → product → plan → API → operation → application — where global,
 * API and operation are known at compile time and product, plan and application only once access
 * has named the caller; the merged chain is memoised per (product, plan, application) that
 * actually carry policies, so a busy route assembles nothing per request.
 *
 * A policy the gateway cannot compile (a named value deleted since it was written, say) does not
 * reject the snapshot — that would freeze every other change — and is not skipped either, which
 * could open an API an IP filter or an authentication policy protects: it refuses every call of
 * its chain with PORTICO_POLICY_FAILED, and the gateway logs it once.
 */
import { compilePolicy, policyDefinition } from '../../policies/registry.ts';
import { PolicyConfigError, type PolicyInstance } from '../../policies/sdk.ts';
import type { Snapshot, SnapshotPolicy, SnapshotPolicyScope } from '../../snapshot/types.ts';
import type { RequestContext } from '../access.ts';

export interface ChainPart {
  readonly id: string;
  readonly type: string;
  readonly scope: SnapshotPolicyScope;
  readonly scopeId: string | null;
  readonly instance: PolicyInstance;
}

export interface Chain {
  /** Request order. */
  readonly parts: readonly ChainPart[];
  /** Some part reads the request body before the backend is called. */
  readonly requestBody: boolean;
  /** Some part reads the response body: the backend's answer is buffered. */
  readonly responseBody: boolean;
  readonly hasResponse: boolean;
  readonly hasError: boolean;
}

/** One organization's compiled policies. */
export interface OrgPolicies {
  readonly global: readonly ChainPart[];
  readonly byProduct: ReadonlyMap<string, readonly ChainPart[]>;
  readonly byPlan: ReadonlyMap<string, readonly ChainPart[]>;
  readonly byApplication: ReadonlyMap<string, readonly ChainPart[]>;
  /** API- and operation-scope policies, compiled per route (they may need the operation's spec). */
  readonly byApi: ReadonlyMap<string, readonly SnapshotPolicy[]>;
  readonly byOperation: ReadonlyMap<string, readonly SnapshotPolicy[]>;
  readonly namedValues: ReadonlyMap<string, string>;
}

export interface CompileReport {
  /** Policies that failed to compile: id → reason (logged once by the gateway). */
  readonly broken: Map<string, string>;
}

type Parts = readonly ChainPart[];
const EMPTY: Parts = Object.freeze([]);
const MEMO_MAX = 4096;

export function compilePolicies(snapshot: Snapshot, report: CompileReport): Map<string, OrgPolicies> {
  const byOrg = new Map<string, SnapshotPolicy[]>();
  for (const p of snapshot.policies ?? []) {
    if (typeof p.id !== 'string' || typeof p.type !== 'string' || p.scope === null || typeof p.scope !== 'object') throw new Error('snapshot: a policy is malformed');
    const list = byOrg.get(p.organizationId) ?? [];
    list.push(p);
    byOrg.set(p.organizationId, list);
  }
  const values = new Map<string, Map<string, string>>();
  for (const nv of snapshot.namedValues ?? []) {
    const m = values.get(nv.organizationId) ?? new Map<string, string>();
    m.set(nv.name, nv.value);
    values.set(nv.organizationId, m);
  }
  const out = new Map<string, OrgPolicies>();
  for (const [org, list] of byOrg) {
    list.sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const namedValues = values.get(org) ?? new Map<string, string>();
    const part = (p: SnapshotPolicy) => compilePart(p, namedValues, undefined, report);
    const group = (scope: SnapshotPolicyScope) => {
      const m = new Map<string, ChainPart[]>();
      for (const p of list) if (p.scope.type === scope && p.scope.id !== null) m.set(p.scope.id, [...(m.get(p.scope.id) ?? []), part(p)]);
      return m;
    };
    const raw = (scope: SnapshotPolicyScope) => {
      const m = new Map<string, SnapshotPolicy[]>();
      for (const p of list) if (p.scope.type === scope && p.scope.id !== null) m.set(p.scope.id, [...(m.get(p.scope.id) ?? []), p]);
      return m;
    };
    out.set(org, {
      global: list.filter((p) => p.scope.type === 'global').map(part),
      byProduct: group('product'),
      byPlan: group('plan'),
      byApplication: group('application'),
      byApi: raw('api'),
      byOperation: raw('operation'),
      namedValues,
    });
  }
  return out;
}

export function compilePart(p: SnapshotPolicy, namedValues: ReadonlyMap<string, string>, operationSpec: unknown, report: CompileReport): ChainPart {
  const base = { id: p.id, type: p.type, scope: p.scope.type, scopeId: p.scope.id };
  try {
    const instance = compilePolicy(p.type, p.config, { namedValues, policyId: p.id, scope: p.scope, operationSpec });
    return Object.freeze({ ...base, instance });
  } catch (error) {
    const reason = error instanceof PolicyConfigError ? `${error.pointer}: ${error.message}` : (error as Error).message;
    report.broken.set(p.id, reason);
    return Object.freeze({ ...base, instance: brokenInstance(p, reason) });
  }
}

function brokenInstance(p: SnapshotPolicy, reason: string): PolicyInstance {
  const detail = `Policy ${p.type} (${p.id}) cannot run: ${reason}`;
  return { request: (x) => x.refuse('PORTICO_POLICY_FAILED', detail) };
}

/** The policies of one route; null on the route when it has none at any scope. */
export class RoutePolicies {
  readonly #org: OrgPolicies;
  /** API then operation policies, compiled for this route. */
  readonly #own: readonly ChainPart[];
  readonly #static: Chain;
  /** Chains by product parts → plan parts → application parts. */
  readonly #memo = new Map<Parts, Map<Parts, Map<Parts, Chain>>>();
  #memoSize = 0;

  /**
   * Global, API and operation parts that run before access (`beforeAccess`); null when none.
   * Every chain of the route starts with them, in scope order, so `x.ran` carries over.
   */
  readonly early: Chain | null;
  readonly #earlyParts: ReadonlySet<ChainPart>;

  constructor(org: OrgPolicies, own: readonly ChainPart[]) {
    this.#org = org;
    this.#own = own;
    const fixed = [...org.global, ...own];
    const early = fixed.filter((p) => p.instance.beforeAccess === true);
    this.#earlyParts = new Set(early);
    this.early = early.length === 0 ? null : chainOf(early);
    this.#static = this.#hoisted(fixed);
  }

  /** The before-access parts first, the others in scope order. */
  #hoisted(parts: readonly ChainPart[]): Chain {
    if (this.early === null) return chainOf(parts);
    return chainOf([...this.early.parts, ...parts.filter((p) => !this.#earlyParts.has(p))]);
  }

  /** Whether any scope has something for this route (else the route carries null). */
  static needed(org: OrgPolicies | undefined, own: readonly ChainPart[]): org is OrgPolicies {
    if (org === undefined) return false;
    return own.length > 0 || org.global.length > 0 || org.byProduct.size > 0 || org.byPlan.size > 0 || org.byApplication.size > 0;
  }

  chainFor(ctx: RequestContext): Chain {
    const org = this.#org;
    const product = ctx.productId === null ? EMPTY : (org.byProduct.get(ctx.productId) ?? EMPTY);
    const plan = ctx.planId === null ? EMPTY : (org.byPlan.get(ctx.planId) ?? EMPTY);
    const app = ctx.applicationId === null ? EMPTY : (org.byApplication.get(ctx.applicationId) ?? EMPTY);
    if (product.length === 0 && plan.length === 0 && app.length === 0) return this.#static;
    // Keyed by the scopes' part lists themselves (one list per id and snapshot): no key string per call.
    let byPlan = this.#memo.get(product);
    if (byPlan === undefined) this.#memo.set(product, (byPlan = new Map()));
    let byApp = byPlan.get(plan);
    if (byApp === undefined) byPlan.set(plan, (byApp = new Map()));
    let chain = byApp.get(app);
    if (chain === undefined) {
      if (this.#memoSize >= MEMO_MAX) {
        this.#memo.clear();
        this.#memoSize = 0;
        return this.chainFor(ctx);
      }
      chain = this.#hoisted([...org.global, ...product, ...plan, ...this.#own, ...app]);
      byApp.set(app, chain);
      this.#memoSize++;
    }
    return chain;
  }
}

function chainOf(parts: readonly ChainPart[]): Chain {
  return Object.freeze({
    parts: Object.freeze(parts),
    requestBody: parts.some((p) => p.instance.needs?.requestBody === true),
    responseBody: parts.some((p) => p.instance.needs?.responseBody === true),
    hasResponse: parts.some((p) => p.instance.response !== undefined),
    hasError: parts.some((p) => p.instance.error !== undefined),
  });
}

/** API- then operation-scope parts for one route. */
export function ownParts(org: OrgPolicies | undefined, apiId: string, operationId: string | null, operationSpec: unknown, report: CompileReport, shared: Map<string, ChainPart>): ChainPart[] {
  if (org === undefined) return [];
  const parts: ChainPart[] = [];
  const add = (p: SnapshotPolicy, perRoute: boolean) => {
    if (perRoute) {
      parts.push(compilePart(p, org.namedValues, operationSpec, report));
      return;
    }
    let part = shared.get(p.id);
    if (part === undefined) {
      part = compilePart(p, org.namedValues, undefined, report);
      shared.set(p.id, part);
    }
    parts.push(part);
  };
  for (const p of org.byApi.get(apiId) ?? []) add(p, policyDefinition(p.type)?.perOperation === true);
  if (operationId !== null) for (const p of org.byOperation.get(operationId) ?? []) add(p, true);
  return parts;
}
