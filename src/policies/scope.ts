/**
 * The expression scope of one exchange, built for the roots an expression reads (`uses`), so a
 * condition on a header never parses the query or the body. Bodies are offered only when a policy
 * buffered them, parsed as JSON for JSON content types (else text) and only up to
 * BODY_IN_SCOPE_MAX bytes: an expression's budget bounds its steps, this bounds its input.
 * `request.query` and `request.headers` are built only for expressions that read them, so
 * `{{request.path}}` parses neither.
 */
import type { ExpressionScope, Use } from './expressions/index.ts';
import type { Exchange, Headers } from './sdk.ts';

export const BODY_IN_SCOPE_MAX = 1024 * 1024;
const NOT_READ: Readonly<Record<string, string>> = Object.freeze({});

export function scopeOf(x: Exchange, uses: ReadonlySet<Use>): ExpressionScope {
  const scope: { -readonly [K in keyof ExpressionScope]: ExpressionScope[K] } = {};
  if (uses.has('request')) {
    const body = bodyOf(x.requestBody, x.requestHeaders);
    scope.request = {
      method: x.method,
      path: x.path,
      // Built only for an expression that reads them (see `Use`); the empty record is never read.
      query: uses.has('request.query') ? queryOf(x.query) : NOT_READ,
      headers: uses.has('request.headers') ? x.requestHeaders.toRecord() : NOT_READ,
      ip: x.clientIp,
      ...(body === undefined ? {} : { body }),
    };
  }
  if (uses.has('response') && x.phase !== 'request') {
    const body = bodyOf(x.responseBody, x.responseHeaders);
    scope.response = { status: x.status, headers: x.responseHeaders.toRecord(), ...(body === undefined ? {} : { body }) };
  }
  if (uses.has('consumer')) {
    const c = x.consumer;
    scope.consumer = { application: c?.applicationId ?? null, plan: c?.plan ?? null, product: c?.productId ?? null, user: c?.userId ?? null };
  }
  if (uses.has('api')) scope.api = { id: x.api.id, name: x.api.name, version: x.api.version };
  if (uses.has('operation')) scope.operation = x.operation ?? { id: null, method: x.method, path: x.path };
  if (uses.has('claims')) scope.claims = x.claims ?? {};
  if (uses.has('vars')) scope.vars = x.vars;
  return scope;
}

/** Whether a source reads a body (then the policy must declare `needs`). */
export function readsBody(source: string, root: 'request' | 'response'): boolean {
  return new RegExp(`\\b${root}\\s*\\.\\s*body\\b`).test(source);
}

function queryOf(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === '') return out;
  for (const [k, v] of new URLSearchParams(raw)) if (!(k in out)) out[k] = v;
  return out;
}

function bodyOf(body: Buffer | null, headers: Headers): unknown {
  if (body === null || body.length > BODY_IN_SCOPE_MAX) return undefined;
  const text = body.toString('utf8');
  const type = headers.get('content-type') ?? '';
  if (/[/+]json\b/i.test(type)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
