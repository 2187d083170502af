import { isAbsolute, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { PorticoError } from '../../core/errors.ts';
import type { Api, ApiCreate, StoredApi } from '../../domain/api.ts';
import type { Backend, BackendCreate } from '../../domain/backend.ts';
import type { Plan } from '../../domain/plan.ts';
import type { Policy } from '../../domain/policy.ts';
import type { Product } from '../../domain/product.ts';
import { bumpRevision, tables, type Tx } from '../../store/index.ts';
import { apis } from '../apis.ts';
import { applications } from '../applications.ts';
import { backends } from '../backends.ts';
import { auditTo, requireRole, type Audit, type Ctx } from '../context.ts';
import { contracts } from '../contracts.ts';
import { apiFieldsOf } from '../import/import-api.ts';
import { loadOpenApi } from '../import/openapi.ts';
import { namedValuesResource, revealNamedValue } from '../named-values.ts';
import { lockPlanIn, newPlanVersionIn, plans } from '../plans.ts';
import { policies } from '../policies.ts';
import { products } from '../products.ts';
import { ConfigDocument, type ApiDecl, type PolicyDecl } from './schema.ts';

export interface Change {
  action: 'create' | 'update' | 'delete' | 'lock' | 'new-version' | 'approve' | 'suspend' | 'resume' | 'cancel';
  kind: 'named-value' | 'backend' | 'api' | 'product' | 'plan' | 'application' | 'contract' | 'policies';
  name: string;
  /** Fields that differ, for updates. */
  fields?: string[];
}

export interface ApplyOptions {
  prune?: boolean;
  dryRun?: boolean;
  /** Values of the environment variables named by `valueFrom.env`. */
  env?: Record<string, string | undefined>;
  /** Directory `openapi: ./file` paths are relative to; absent: only inline documents (the server's case). */
  baseDir?: string;
}

export interface ApplyResult {
  applied: boolean;
  dryRun: boolean;
  changes: Change[];
  warnings: string[];
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateDocument = ajv.compile(ConfigDocument);

/** Refuses a document that does not match the schema, naming every violation. */
export function checkDocument(doc: unknown): ConfigDocument {
  if (validateDocument(doc)) {
    const d = doc as ConfigDocument;
    const errors: { pointer: string; message: string }[] = [];
    const unique = (list: { name: string }[] | undefined, at: string) => {
      const seen = new Set<string>();
      list?.forEach((e, i) => {
        if (seen.has(e.name)) errors.push({ pointer: `/${at}/${i}/name`, message: `duplicate name "${e.name}"` });
        seen.add(e.name);
      });
    };
    unique(d.namedValues, 'namedValues');
    unique(d.backends, 'backends');
    unique(d.apis, 'apis');
    unique(d.products, 'products');
    unique(d.applications, 'applications');
    d.products?.forEach((p, i) => unique(p.plans, `products/${i}/plans`));
    d.apis?.forEach((a, i) => {
      if (a.openapi !== undefined && a.operations !== undefined) errors.push({ pointer: `/apis/${i}`, message: 'give operations or openapi, not both' });
    });
    if (errors.length > 0) throw new PorticoError('PORTICO_VALIDATION_FAILED', errors.map((e) => `${e.pointer} ${e.message}`).join('; '), { errors });
    return d;
  }
  const errors = (validateDocument.errors ?? []).map((e) => ({
    pointer: `${e.instancePath}${e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : ''}` || '/',
    message: e.keyword === 'additionalProperties' ? 'unknown field' : (e.message ?? 'invalid'),
  }));
  throw new PorticoError('PORTICO_VALIDATION_FAILED', `The configuration does not match the schema: ${errors.slice(0, 5).map((e) => `${e.pointer} ${e.message}`).join('; ')}`, { errors });
}

/** Stable comparison of plain data (key order ignored). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

const META = ['id', 'organizationId', 'createdAt', 'updatedAt'];
function strip<T extends object>(entity: T, also: string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entity).filter(([k]) => !META.includes(k) && !also.includes(k)));
}
function differing(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !same(a[k], b[k])).sort();
}
const META_BASE = { id: 'x', organizationId: 'x', createdAt: '', updatedAt: '' };

const ROLLBACK = Symbol('rollback');

/** The environment variable an exported secret is read from: its name in upper case. */
export function envNameOf(name: string): string {
  const n = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[A-Z_]/.test(n) ? n : `_${n}`;
}

async function policiesOf(tx: Tx, organizationId: string, scopeType: string, scopeId: string): Promise<Policy[]> {
  const all = await tables.policies.all(tx, { organization_id: organizationId, scope_type: scopeType, scope_id: scopeId });
  return all.sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
}
const declOf = (p: Policy): PolicyDecl => ({ type: p.type, config: p.config, ...(p.enabled ? {} : { enabled: false }) });
const samePolicies = (current: Policy[], desired: PolicyDecl[]) => same(current.map(declOf), desired.map((d) => ({ type: d.type, config: d.config, ...(d.enabled === false ? { enabled: false } : {}) })));

/** Reads the organization as a configuration document (secrets as `valueFrom.env`, never their value). */
export async function exportConfig(ctx: Ctx, organizationId: string): Promise<ConfigDocument> {
  requireRole(ctx, organizationId, 'admin');
  await tables.organizations.get(ctx.store.db, organizationId);
  return ctx.store.db.transaction().execute(async (tx) => {
    const org = { organization_id: organizationId };
    const byName = <T extends { name: string }>(list: T[]) => list.sort((a, b) => a.name.localeCompare(b.name));
    const withPolicies = async (scope: string, id: string) => {
      const list = await policiesOf(tx, organizationId, scope, id);
      return list.length > 0 ? { policies: list.map(declOf) } : {};
    };
    const doc: ConfigDocument = { portico: 1, organization: organizationId };

    const nvs = byName(await tables.namedValues.all(tx, org));
    if (nvs.length > 0) doc.namedValues = nvs.map((n) => (n.secret ? { name: n.name, secret: true, valueFrom: { env: envNameOf(n.name) } } : { name: n.name, value: n.value ?? '' }));

    const bks = byName(await tables.backends.all(tx, org));
    const bkName = new Map(bks.map((b) => [b.id, b.name]));
    const bkDefaults = strip(backends.rules.build({ name: 'x', targets: [{ url: 'http://x' }] }, META_BASE));
    if (bks.length > 0) doc.backends = bks.map((b) => trimDefaults(strip(b), bkDefaults, ['name', 'targets']) as BackendCreate);

    const apiList = byName((await tables.apis.all(tx, org)) as StoredApi[]);
    const apiName = new Map(apiList.map((a) => [a.id, a.name]));
    const apiDefaults = strip(apis.rules.build({ name: 'x', basePath: '/x', backendId: 'x' }, META_BASE));
    if (apiList.length > 0) {
      doc.apis = [];
      for (const a of apiList) {
        const fields = strip(a, ['backendId', 'openapi', 'operations']);
        const keep = ['name', 'basePath', ...(a.openapi ? ['description', 'apiKeyHeader', 'apiKeyQueryParam'] : [])];
        const decl = { ...trimDefaults(fields, apiDefaults, keep), backend: bkName.get(a.backendId) ?? a.backendId } as ApiDecl;
        if (a.openapi) decl.openapi = a.openapi.document;
        else if (a.operations.length > 0) decl.operations = a.operations.map((o) => ({ method: o.method as never, path: o.path, ...(o.operationId ? { operationId: o.operationId } : {}), ...(o.summary ? { summary: o.summary } : {}) }));
        Object.assign(decl, await withPolicies('api', a.id));
        doc.apis.push(decl);
      }
    }

    const prds = byName(await tables.products.all(tx, org));
    const prdDefaults = strip(products.rules.build({ name: 'x' }, META_BASE), ['apiIds', 'groupIds']);
    const planName = new Map<string, string>();
    if (prds.length > 0) {
      doc.products = [];
      for (const p of prds) {
        const decl: Record<string, unknown> = { ...trimDefaults(strip(p, ['apiIds', 'groupIds']), prdDefaults, ['name']) };
        if (p.apiIds.length > 0) decl.apis = p.apiIds.map((id) => apiName.get(id) ?? id).sort();
        const versions = await tables.plans.all(tx, { organization_id: organizationId, product_id: p.id });
        for (const v of versions) planName.set(v.id, v.name);
        const latest = latestVersions(versions);
        if (latest.length > 0) {
          decl.plans = [];
          for (const plan of byName(latest)) {
            (decl.plans as unknown[]).push({ name: plan.name, ...(plan.description ? { description: plan.description } : {}), locked: plan.status === 'locked', ...(await withPolicies('plan', plan.id)) });
          }
        }
        Object.assign(decl, await withPolicies('product', p.id));
        doc.products.push(decl as never);
      }
    }

    const apps = byName(await tables.applications.all(tx, org));
    const appName = new Map(apps.map((a) => [a.id, a.name]));
    if (apps.length > 0) doc.applications = await Promise.all(apps.map(async (a) => ({ name: a.name, ...(a.description ? { description: a.description } : {}), ...(await withPolicies('application', a.id)) })));

    const prdName = new Map(prds.map((p) => [p.id, p.name]));
    const open = (await tables.contracts.all(tx, org)).filter((c) => ['pending', 'active', 'suspended'].includes(c.status));
    if (open.length > 0) {
      doc.contracts = open
        .map((c) => ({ application: appName.get(c.applicationId)!, product: prdName.get(c.productId)!, plan: planName.get(c.planId)!, status: c.status as 'pending' | 'active' | 'suspended' }))
        .sort((a, b) => a.application.localeCompare(b.application) || a.product.localeCompare(b.product));
    }
    const global = await policiesOf(tx, organizationId, 'global', '');
    if (global.length > 0) doc.policies = global.map(declOf);
    return doc;
  });
}

function trimDefaults(fields: Record<string, unknown>, defaults: Record<string, unknown>, keep: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([k, v]) => keep.includes(k) || !(k in defaults) || !same(v, defaults[k])));
}

function latestVersions(versions: Plan[]): Plan[] {
  const latest = new Map<string, Plan>();
  for (const v of versions) if ((latest.get(v.name)?.planVersion ?? 0) < v.planVersion) latest.set(v.name, v);
  return [...latest.values()];
}

/** What `apply` would change, without changing anything. */
export async function diffConfig(ctx: Ctx, organizationId: string, document: unknown, options: Omit<ApplyOptions, 'dryRun'> = {}): Promise<ApplyResult> {
  return applyConfig(ctx, organizationId, document, { ...options, dryRun: true });
}

/**
 * Makes the organization match the document, in one transaction: every change is made, audited and
 * published as one configuration revision, or none is. A document that matches changes nothing
 * (no revision, no audit). `prune` also deletes (contracts: cancels) what the document omits.
 */
export async function applyConfig(ctx: Ctx, organizationId: string, document: unknown, options: ApplyOptions = {}): Promise<ApplyResult> {
  requireRole(ctx, organizationId, 'admin');
  const doc = checkDocument(document);
  await tables.organizations.get(ctx.store.db, organizationId);
  const warnings: string[] = [];
  const openapis = await loadDocuments(doc, options, warnings);
  const values = resolveValues(doc, options.env ?? {});
  let changes: Change[] = [];
  try {
    await ctx.store.db.transaction().execute(async (tx) => {
      changes = await reconcile(ctx, tx, auditTo(ctx, tx, organizationId), organizationId, doc, { prune: options.prune ?? false, openapis, values });
      if (options.dryRun || changes.length === 0) throw ROLLBACK;
      await bumpRevision(tx);
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return { applied: !options.dryRun && changes.length > 0, dryRun: options.dryRun ?? false, changes, warnings };
}

async function loadDocuments(doc: ConfigDocument, options: ApplyOptions, warnings: string[]) {
  const out = new Map<string, Awaited<ReturnType<typeof loadOpenApi>>>();
  for (const [i, api] of (doc.apis ?? []).entries()) {
    if (api.openapi === undefined) continue;
    let loaded;
    if (typeof api.openapi === 'string') {
      if (!options.baseDir) {
        throw new PorticoError('PORTICO_VALIDATION_FAILED', `/apis/${i}/openapi: a file reference ("${api.openapi}") is resolved by \`portico apply\`; send the document inline`, { errors: [{ pointer: `/apis/${i}/openapi`, message: 'file references are resolved by the CLI' }] });
      }
      const path = isAbsolute(api.openapi) ? api.openapi : resolve(options.baseDir, api.openapi);
      loaded = await loadOpenApi({ path });
    } else {
      loaded = await loadOpenApi({ object: api.openapi });
    }
    warnings.push(...loaded.warnings.map((w) => `API "${api.name}": ${w}`));
    out.set(api.name, loaded);
  }
  return out;
}

function resolveValues(doc: ConfigDocument, env: Record<string, string | undefined>): Map<string, string> {
  const values = new Map<string, string>();
  const errors: { pointer: string; message: string }[] = [];
  for (const [i, nv] of (doc.namedValues ?? []).entries()) {
    if ('valueFrom' in nv) {
      const v = env[nv.valueFrom.env];
      if (v === undefined) errors.push({ pointer: `/namedValues/${i}/valueFrom/env`, message: `environment variable ${nv.valueFrom.env} is not set` });
      else values.set(nv.name, v);
    } else values.set(nv.name, nv.value);
  }
  if (errors.length > 0) throw new PorticoError('PORTICO_VALIDATION_FAILED', errors.map((e) => e.message).join('; '), { errors });
  return values;
}

interface Plan_ {
  prune: boolean;
  openapis: Map<string, Awaited<ReturnType<typeof loadOpenApi>>>;
  values: Map<string, string>;
}

async function reconcile(ctx: Ctx, tx: Tx, audit: Audit, org: string, doc: ConfigDocument, opts: Plan_): Promise<Change[]> {
  const changes: Change[] = [];
  const where = { organization_id: org };
  const refError = (pointer: string, message: string) => new PorticoError('PORTICO_VALIDATION_FAILED', `${pointer}: ${message}`, { errors: [{ pointer, message }] });

  // Policies of one scope: replaced as a whole when they differ; absent: kept (removed with prune).
  const syncPolicies = async (scope: Policy['scope']['type'], id: string | null, desired: PolicyDecl[] | undefined, label: string) => {
    if (desired === undefined && !opts.prune) return;
    const want = desired ?? [];
    const current = await policiesOf(tx, org, scope, id ?? '');
    if (samePolicies(current, want)) return;
    for (const p of current) await policies.deleteIn(tx, audit, org, p.id, null);
    for (const [position, p] of want.entries()) await policies.createIn(ctx, tx, audit, org, { scope: { type: scope, id }, type: p.type, config: p.config, enabled: p.enabled ?? true, position });
    changes.push({ action: 'update', kind: 'policies', name: label });
  };

  // ── named values ──
  const nvResource = namedValuesResource(ctx.sealer);
  const nvs = new Map((await tables.namedValues.all(tx, where)).map((n) => [n.name, n]));
  for (const nv of doc.namedValues ?? []) {
    const secret = 'valueFrom' in nv ? (nv.secret ?? false) : false;
    const value = opts.values.get(nv.name)!;
    const current = nvs.get(nv.name);
    if (current && current.secret !== secret) {
      await nvResource.deleteIn(tx, audit, org, current.id, null);
      await nvResource.createIn(ctx, tx, audit, org, { name: nv.name, value, secret });
      changes.push({ action: 'update', kind: 'named-value', name: nv.name, fields: ['secret'] });
    } else if (!current) {
      await nvResource.createIn(ctx, tx, audit, org, { name: nv.name, value, secret });
      changes.push({ action: 'create', kind: 'named-value', name: nv.name });
    } else if (revealNamedValue(ctx.sealer, current) !== value) {
      await nvResource.updateIn(ctx, tx, audit, org, current.id, { value }, null);
      changes.push({ action: 'update', kind: 'named-value', name: nv.name, fields: ['value'] });
    }
  }

  // ── backends ──
  const bks = new Map((await tables.backends.all(tx, where)).map((b) => [b.name, b]));
  const backendIds = new Map([...bks.values()].map((b) => [b.name, b.id]));
  for (const b of doc.backends ?? []) {
    const desired = strip(backends.rules.build(b, META_BASE));
    const current = bks.get(b.name);
    if (!current) {
      backendIds.set(b.name, (await backends.createIn(ctx, tx, audit, org, b)).entity.id);
      changes.push({ action: 'create', kind: 'backend', name: b.name });
      continue;
    }
    const fields = differing(strip(current), desired);
    if (fields.length > 0) {
      await backends.updateIn(ctx, tx, audit, org, current.id, desired as Partial<Backend>, null);
      changes.push({ action: 'update', kind: 'backend', name: b.name, fields });
    }
  }

  // ── APIs ──
  const apiRows = new Map(((await tables.apis.all(tx, where)) as StoredApi[]).map((a) => [a.name, a]));
  const apiIds = new Map([...apiRows.values()].map((a) => [a.name, a.id]));
  for (const [i, a] of (doc.apis ?? []).entries()) {
    const { backend, openapi: _doc, policies: apiPolicies, ...fields } = a;
    const backendId = backendIds.get(backend);
    if (!backendId) throw refError(`/apis/${i}/backend`, `no backend named "${backend}"`);
    const input: ApiCreate & { openapi?: StoredApi['openapi'] } = { ...fields, backendId };
    const loaded = opts.openapis.get(a.name);
    if (loaded) {
      const derived = apiFieldsOf(loaded, []);
      input.operations = derived.operations;
      input.openapi = derived.openapi;
      if (fields.apiKeyHeader === undefined && derived.apiKeyHeader) input.apiKeyHeader = derived.apiKeyHeader;
      if (fields.apiKeyQueryParam === undefined && derived.apiKeyQueryParam) input.apiKeyQueryParam = derived.apiKeyQueryParam;
      if (fields.description === undefined) input.description = loaded.description;
    }
    const current = apiRows.get(a.name);
    let id: string;
    if (!current) {
      id = (await apis.createIn(ctx, tx, audit, org, input)).entity.id;
      changes.push({ action: 'create', kind: 'api', name: a.name });
    } else {
      id = current.id;
      const desired = strip(apis.rules.build(input, META_BASE) as StoredApi);
      const view = (e: Record<string, unknown>) => ({ ...e, operations: (e.operations as Api['operations']).map(({ id: _id, ...o }) => o), openapi: (e.openapi as StoredApi['openapi'])?.document ?? null });
      const fieldsChanged = differing(view(strip(current)), view(desired));
      if (fieldsChanged.length > 0) {
        // Without a document, `openapi: undefined` drops a previously imported one.
        const patch = { ...desired, openapi: desired.openapi ?? undefined };
        await apis.updateIn(ctx, tx, audit, org, current.id, patch as never, null);
        changes.push({ action: 'update', kind: 'api', name: a.name, fields: fieldsChanged });
      }
    }
    apiIds.set(a.name, id);
    await syncPolicies('api', id, apiPolicies, `api "${a.name}"`);
  }

  // ── products and plans ──
  const prdRows = new Map((await tables.products.all(tx, where)).map((p) => [p.name, p]));
  const productIds = new Map([...prdRows.values()].map((p) => [p.name, p.id]));
  const latestPlan = new Map<string, Plan>(); // `${product}\u0000${plan}` → latest version
  for (const [i, p] of (doc.products ?? []).entries()) {
    const { apis: apiNames, plans: planDecls, policies: productPolicies, ...fields } = p;
    const ids = (apiNames ?? []).map((n, j) => {
      const id = apiIds.get(n);
      if (!id) throw refError(`/products/${i}/apis/${j}`, `no API named "${n}"`);
      return id;
    });
    const current = prdRows.get(p.name);
    let productId: string;
    if (!current) {
      productId = (await products.createIn(ctx, tx, audit, org, { ...fields, apiIds: ids })).entity.id;
      changes.push({ action: 'create', kind: 'product', name: p.name });
    } else {
      productId = current.id;
      const desired = strip(products.rules.build({ ...fields, apiIds: ids, groupIds: current.groupIds }, META_BASE));
      const view = (e: Record<string, unknown>) => ({ ...e, apiIds: [...(e.apiIds as string[])].sort() });
      const fieldsChanged = differing(view(strip(current)), view(desired));
      if (fieldsChanged.length > 0) {
        await products.updateIn(ctx, tx, audit, org, current.id, desired as Partial<Product>, null);
        changes.push({ action: 'update', kind: 'product', name: p.name, fields: fieldsChanged });
      }
    }
    productIds.set(p.name, productId);
    await syncPolicies('product', productId, productPolicies, `product "${p.name}"`);

    const versions = await tables.plans.all(tx, { organization_id: org, product_id: productId });
    const latest = new Map(latestVersions(versions).map((v) => [v.name, v]));
    for (const plan of planDecls ?? []) {
      const label = `${p.name}/${plan.name}`;
      const description = plan.description ?? '';
      let target = latest.get(plan.name);
      if (!target) {
        target = (await plans.createIn(ctx, tx, audit, org, { name: plan.name, description, productId })).entity;
        changes.push({ action: 'create', kind: 'plan', name: label });
      } else {
        const policiesDiffer = (plan.policies !== undefined || opts.prune) && !samePolicies(await policiesOf(tx, org, 'plan', target.id), plan.policies ?? []);
        const differs = target.description !== description || policiesDiffer;
        let versioned = false;
        if (target.status === 'locked' && (differs || plan.locked === false)) {
          target = (await newPlanVersionIn(ctx, tx, audit, org, target.id)).entity;
          versioned = true;
          changes.push({ action: 'new-version', kind: 'plan', name: label, fields: [`version ${target.planVersion}`] });
        }
        if (target.description !== description) {
          target = (await plans.updateIn(ctx, tx, audit, org, target.id, { description }, null)).entity;
          if (!versioned) changes.push({ action: 'update', kind: 'plan', name: label, fields: ['description'] });
        }
      }
      if (target.status === 'draft') await syncPolicies('plan', target.id, plan.policies, `plan "${label}"`);
      if (plan.locked && target.status === 'draft') {
        target = (await lockPlanIn(ctx, tx, audit, org, target.id)).entity;
        changes.push({ action: 'lock', kind: 'plan', name: label });
      }
      latestPlan.set(`${p.name}\u0000${plan.name}`, target);
    }
    if (opts.prune) {
      const wanted = new Set((planDecls ?? []).map((x) => x.name));
      for (const v of versions.filter((x) => !wanted.has(x.name)).sort((a, b) => b.planVersion - a.planVersion)) {
        await plans.deleteIn(tx, audit, org, v.id, null);
        changes.push({ action: 'delete', kind: 'plan', name: `${p.name}/${v.name} v${v.planVersion}` });
      }
    }
  }

  // ── applications ──
  const appRows = new Map((await tables.applications.all(tx, where)).map((a) => [a.name, a]));
  const appIds = new Map([...appRows.values()].map((a) => [a.name, a.id]));
  for (const a of doc.applications ?? []) {
    const current = appRows.get(a.name);
    let id: string;
    if (!current) {
      id = (await applications.createIn(ctx, tx, audit, org, { name: a.name, description: a.description ?? '' })).application.id;
      changes.push({ action: 'create', kind: 'application', name: a.name });
    } else {
      id = current.id;
      if (current.description !== (a.description ?? '')) {
        await applications.updateIn(ctx, tx, audit, org, id, { description: a.description ?? '' });
        changes.push({ action: 'update', kind: 'application', name: a.name, fields: ['description'] });
      }
    }
    appIds.set(a.name, id);
    await syncPolicies('application', id, a.policies, `application "${a.name}"`);
  }

  // ── contracts ──
  const openContracts = (await tables.contracts.all(tx, where)).filter((c) => ['pending', 'active', 'suspended'].includes(c.status));
  const planNames = new Map((await tables.plans.all(tx, where)).map((p) => [p.id, p.name]));
  const keepContracts = new Set<string>();
  for (const [i, c] of (doc.contracts ?? []).entries()) {
    const applicationId = appIds.get(c.application);
    if (!applicationId) throw refError(`/contracts/${i}/application`, `no application named "${c.application}"`);
    const productId = productIds.get(c.product);
    if (!productId) throw refError(`/contracts/${i}/product`, `no product named "${c.product}"`);
    const label = `${c.application} → ${c.product}`;
    let contract = openContracts.find((x) => x.applicationId === applicationId && x.productId === productId);
    if (contract && planNames.get(contract.planId) !== c.plan) {
      await contracts.transitionIn(ctx, tx, audit, org, contract.id, 'cancel');
      changes.push({ action: 'cancel', kind: 'contract', name: `${label} (${planNames.get(contract.planId)})` });
      contract = undefined;
    }
    if (!contract) {
      const plan = latestPlan.get(`${c.product}\u0000${c.plan}`) ?? latestVersions(await tables.plans.all(tx, { organization_id: org, product_id: productId })).find((x) => x.name === c.plan);
      if (!plan) throw refError(`/contracts/${i}/plan`, `product "${c.product}" has no plan named "${c.plan}"`);
      contract = (await contracts.createIn(ctx, tx, audit, org, { applicationId, productId, planId: plan.id })).entity;
      changes.push({ action: 'create', kind: 'contract', name: label });
    }
    keepContracts.add(contract.id);
    const steps: Record<string, Record<string, ('approve' | 'suspend' | 'resume')[]>> = {
      pending: { active: ['approve'], suspended: ['approve', 'suspend'] },
      active: { suspended: ['suspend'] },
      suspended: { active: ['resume'] },
    };
    for (const action of (c.status && steps[contract.status]?.[c.status]) || []) {
      contract = (await contracts.transitionIn(ctx, tx, audit, org, contract.id, action)).entity;
      changes.push({ action, kind: 'contract', name: label });
    }
    if (c.status && contract.status !== c.status) throw refError(`/contracts/${i}/status`, `a ${contract.status} contract cannot become ${c.status}`);
  }

  await syncPolicies('global', null, doc.policies, 'global');

  // ── prune: what the document omits, dependants first ──
  if (opts.prune) {
    for (const c of openContracts.filter((x) => !keepContracts.has(x.id))) {
      await contracts.transitionIn(ctx, tx, audit, org, c.id, 'cancel');
      changes.push({ action: 'cancel', kind: 'contract', name: c.id });
    }
    const named = (list: { name: string }[] | undefined) => new Set((list ?? []).map((x) => x.name));
    const wantApps = named(doc.applications);
    for (const a of appRows.values()) if (!wantApps.has(a.name)) {
      await applications.deleteIn(tx, audit, org, a.id);
      changes.push({ action: 'delete', kind: 'application', name: a.name });
    }
    const wantProducts = named(doc.products);
    for (const p of prdRows.values()) if (!wantProducts.has(p.name)) {
      for (const v of await tables.plans.all(tx, { organization_id: org, product_id: p.id })) await plans.deleteIn(tx, audit, org, v.id, null);
      await products.deleteIn(tx, audit, org, p.id, null);
      changes.push({ action: 'delete', kind: 'product', name: p.name });
    }
    const wantApis = named(doc.apis);
    for (const a of apiRows.values()) if (!wantApis.has(a.name)) {
      await apis.deleteIn(tx, audit, org, a.id, null);
      changes.push({ action: 'delete', kind: 'api', name: a.name });
    }
    const wantBackends = named(doc.backends);
    for (const b of bks.values()) if (!wantBackends.has(b.name)) {
      await backends.deleteIn(tx, audit, org, b.id, null);
      changes.push({ action: 'delete', kind: 'backend', name: b.name });
    }
    const wantValues = named(doc.namedValues);
    for (const n of nvs.values()) if (!wantValues.has(n.name)) {
      await nvResource.deleteIn(tx, audit, org, n.id, null);
      changes.push({ action: 'delete', kind: 'named-value', name: n.name });
    }
  }
  return changes;
}
