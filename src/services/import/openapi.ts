import { isAbsolute } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { PorticoError } from '../../core/errors.ts';
import { HTTP_METHODS, type ImportedSecurity, type StoredOpenApi } from '../../domain/api.ts';

/** Where an OpenAPI document comes from. Only trusted callers (CLI, declarative files) pass `path`/`url`. */
export type OpenApiSource = { text: string } | { object: unknown } | { path: string } | { url: string };

export interface OpenApiIssue {
  message: string;
  /** 1-based line in the document as given (pretty-printed JSON for objects), when known. */
  line: number | null;
  /** What the parser showed around the problem (its code frame), or a JSON pointer. */
  location: string;
}

export interface ImportedOperation {
  method: (typeof HTTP_METHODS)[number];
  path: string;
  operationId?: string;
  summary?: string;
}

/** An OpenAPI document read, validated, dereferenced and reduced to what an API needs. */
export interface LoadedOpenApi extends StoredOpenApi {
  title: string;
  description: string;
  /** Absolute http(s) URL of the first server (Swagger: schemes/host/basePath), or null. */
  serverUrl: string | null;
  operations: ImportedOperation[];
  warnings: string[];
}

const ROUTABLE_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/{}-]*$/;
const METHODS = new Set<string>(HTTP_METHODS.map((m) => m.toLowerCase()));

function invalid(message: string, issues: OpenApiIssue[], extra: Record<string, unknown> = {}): PorticoError {
  const summary = issues.length === 1 ? `${message}: ${issues[0]!.message}${issues[0]!.line ? ` (line ${issues[0]!.line})` : ''}` : `${message}: ${issues.length} problems`;
  return new PorticoError('PORTICO_OPENAPI_INVALID', summary, { errors: issues, ...extra });
}

/** Splits the parser's "TITLE message\n\n  code frame" into message, line and frame. */
function issueOf(raw: string): OpenApiIssue {
  const [first, ...rest] = raw.split('\n');
  const frame = rest.join('\n').trim();
  const line = /^>\s*(\d+)\s*\|/m.exec(frame);
  const pointer = /\bat "([^"]+)"/.exec(raw) ?? /#(\/[^\s"']*)/.exec(raw);
  return { message: (first ?? raw).trim(), line: line ? Number(line[1]) : null, location: frame || (pointer ? pointer[1]! : '') };
}

function parseText(text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 1000 });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      throw invalid('The document is neither JSON nor YAML', [{ message: error.message.split('\n')[0]!, line: error.linePos?.[0]?.line ?? null, location: error.message.split('\n').slice(1).join('\n').trim() }]);
    }
    throw error;
  }
}

type Parser = typeof import('@readme/openapi-parser');
let parserModule: Promise<Parser> | null = null;
/** Loaded on first use: the control plane starts without it. */
function parser(): Promise<Parser> {
  parserModule ??= import('@readme/openapi-parser');
  return parserModule;
}

function formatOf(doc: Record<string, unknown>): StoredOpenApi['format'] | null {
  if (typeof doc.swagger === 'string' && doc.swagger.startsWith('2.')) return 'swagger-2.0';
  if (typeof doc.openapi === 'string' && doc.openapi.startsWith('3.0')) return 'openapi-3.0';
  if (typeof doc.openapi === 'string' && doc.openapi.startsWith('3.1')) return 'openapi-3.1';
  return null;
}

/**
 * Reads an OpenAPI 3.0/3.1 or Swagger 2.0 document, validates it against its specification,
 * dereferences it (circular references stay as internal `$ref`s so it remains plain JSON), and
 * extracts operations, the first server and the security requirements. Documents from the network
 * (`text`/`object`) never resolve external `$ref`s: the server reads no file and calls no URL for them.
 */
export async function loadOpenApi(source: OpenApiSource): Promise<LoadedOpenApi> {
  const { validate, dereference } = await parser();
  let input: string | Record<string, unknown>;
  let external = false;
  if ('path' in source) {
    if (!isAbsolute(source.path)) throw new Error(`loadOpenApi needs an absolute path, got ${source.path}`);
    input = source.path;
    external = true;
  } else if ('url' in source) {
    input = source.url;
    external = true;
  } else {
    const value = 'text' in source ? parseText(source.text) : source.object;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw invalid('The document is not an OpenAPI document', [{ message: 'expected an object at the top level', line: 1, location: '/' }]);
    }
    input = value as Record<string, unknown>;
  }
  const head = typeof input === 'string' ? null : input;
  if (head && !formatOf(head)) {
    const v = head.openapi ?? head.swagger;
    throw invalid('The document is not an OpenAPI document', [
      { message: v === undefined ? 'neither "openapi" nor "swagger" is present' : `version ${JSON.stringify(v)} is not supported (2.0, 3.0.x and 3.1.x are)`, line: null, location: v === undefined ? '/' : head.openapi !== undefined ? '/openapi' : '/swagger' },
    ]);
  }
  if (head) {
    const refs = externalRefs(head);
    if (refs.length > 0) {
      throw invalid(
        'The document refers to other files or URLs',
        refs.map((r) => ({ message: `external $ref "${r.ref}" is not resolved for documents sent to the server; bundle the document first (portico apply does)`, line: null, location: r.pointer })),
      );
    }
  }
  const resolve = external ? {} : { external: false };
  const copy = () => (typeof input === 'string' ? input : structuredClone(input));
  let result;
  try {
    result = await validate(copy() as never, { resolve, validate: { errors: { colorize: false } } });
  } catch (error) {
    throw invalid('The document cannot be read', [issueOf(error instanceof Error ? error.message : String(error))]);
  }
  if (!result.valid) {
    const issues = result.errors.map((e) => issueOf(e.message));
    throw invalid(`The ${result.specification ?? 'OpenAPI'} document is not valid`, issues, result.additionalErrors > 0 ? { additionalErrors: result.additionalErrors } : {});
  }
  let doc: Record<string, unknown>;
  try {
    doc = (await dereference(copy() as never, { resolve, dereference: { circular: 'ignore' } })) as unknown as Record<string, unknown>;
  } catch (error) {
    throw invalid('The document cannot be dereferenced', [issueOf(error instanceof Error ? error.message : String(error))]);
  }
  const format = formatOf(doc);
  if (!format) throw invalid('The document is not an OpenAPI document', [{ message: 'unsupported version', line: null, location: '/openapi' }]);
  const warnings = result.warnings.map((w) => w.message);
  const operations = operationsOf(doc, warnings);
  const info = (doc.info ?? {}) as { title?: string; description?: string };
  let description = typeof info.description === 'string' ? info.description : '';
  if (description.length > 4000) {
    warnings.push('info.description is longer than 4000 characters; the API description keeps the first 4000');
    description = description.slice(0, 4000);
  }
  // A JSON round trip makes sure the stored form is plain data (no shared or circular objects).
  const document = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  return { format, document, security: securityOf(doc, format), title: String(info.title ?? 'API'), description, serverUrl: serverOf(doc, format, warnings), operations, warnings };
}

/** `$ref`s that leave the document (other files, URLs), with where they are. */
function externalRefs(value: unknown, pointer = '', out: { ref: string; pointer: string }[] = []): { ref: string; pointer: string }[] {
  if (out.length >= 50 || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => externalRefs(v, `${pointer}/${i}`, out));
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    const here = `${pointer}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) out.push({ ref: v, pointer: here });
    else externalRefs(v, here, out);
  }
  return out;
}

function operationsOf(doc: Record<string, unknown>, warnings: string[]): ImportedOperation[] {
  const issues: OpenApiIssue[] = [];
  const operations: ImportedOperation[] = [];
  const paths = (doc.paths ?? {}) as Record<string, Record<string, unknown> | null>;
  for (const [path, item] of Object.entries(paths)) {
    if (!item || typeof item !== 'object') continue;
    const pointer = `/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    for (const [key, op] of Object.entries(item)) {
      const method = key.toLowerCase();
      if (method === 'trace') {
        warnings.push(`${pointer}/trace: TRACE is not served by the gateway; skipped`);
        continue;
      }
      if (!METHODS.has(method) || !op || typeof op !== 'object') continue;
      if (!ROUTABLE_PATH.test(path) || path.length > 1000) {
        issues.push({ message: `path "${path}" cannot be routed: only RFC 3986 path characters and {parameters} are allowed`, line: null, location: pointer });
        break;
      }
      const o = op as { operationId?: unknown; summary?: unknown };
      const operation: ImportedOperation = { method: method.toUpperCase() as ImportedOperation['method'], path };
      if (typeof o.operationId === 'string') {
        if (o.operationId.length > 200) issues.push({ message: `operationId is longer than 200 characters`, line: null, location: `${pointer}/${key}/operationId` });
        operation.operationId = o.operationId;
      }
      if (typeof o.summary === 'string' && o.summary !== '') {
        if (o.summary.length > 1000) warnings.push(`${pointer}/${key}/summary is longer than 1000 characters; truncated`);
        operation.summary = o.summary.slice(0, 1000);
      }
      operations.push(operation);
    }
  }
  if (operations.length > 2000) issues.push({ message: `${operations.length} operations; an API holds at most 2000`, line: null, location: '/paths' });
  if (issues.length > 0) throw invalid('The document cannot be served by the gateway', issues);
  return operations;
}

/** The first server as an absolute http(s) URL, server variables replaced by their defaults. */
function serverOf(doc: Record<string, unknown>, format: StoredOpenApi['format'], warnings: string[]): string | null {
  let url: string | null = null;
  if (format === 'swagger-2.0') {
    const host = typeof doc.host === 'string' ? doc.host : null;
    if (!host) return null;
    const schemes = Array.isArray(doc.schemes) ? (doc.schemes as string[]) : [];
    const scheme = schemes.includes('https') ? 'https' : schemes.includes('http') ? 'http' : schemes.length === 0 ? 'https' : null;
    if (!scheme) {
      warnings.push(`schemes ${JSON.stringify(schemes)} has no http or https`);
      return null;
    }
    url = `${scheme}://${host}${typeof doc.basePath === 'string' ? doc.basePath : ''}`;
  } else {
    const servers = Array.isArray(doc.servers) ? (doc.servers as { url?: unknown; variables?: Record<string, { default?: unknown }> }[]) : [];
    const first = servers[0];
    if (!first || typeof first.url !== 'string') return null;
    url = first.url.replace(/\{([^}]+)\}/g, (m, name: string) => {
      const d = first.variables?.[name]?.default;
      return d === undefined ? m : String(d);
    });
  }
  if (!/^https?:\/\/[^/{}\s]+/.test(url)) {
    warnings.push(`server URL "${url}" is not an absolute http(s) URL`);
    return null;
  }
  return url.replace(/\/+$/, '');
}

/** Which schemes the document's security requirements (global or per operation) use. */
function securityOf(doc: Record<string, unknown>, format: StoredOpenApi['format']): ImportedSecurity {
  const schemes = (format === 'swagger-2.0' ? doc.securityDefinitions : (doc.components as { securitySchemes?: unknown } | undefined)?.securitySchemes) as
    | Record<string, { type?: string; in?: string; name?: string; scheme?: string }>
    | undefined;
  const used = new Set<string>();
  const collect = (reqs: unknown) => {
    if (!Array.isArray(reqs)) return;
    for (const r of reqs) if (r && typeof r === 'object') for (const name of Object.keys(r)) used.add(name);
  };
  collect(doc.security);
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Record<string, { security?: unknown }> | null>)) {
    if (!item || typeof item !== 'object') continue;
    for (const [key, op] of Object.entries(item)) if (METHODS.has(key.toLowerCase()) && op && typeof op === 'object') collect(op.security);
  }
  const security: ImportedSecurity = { apiKey: null, oauth2: false, openIdConnect: false, http: [] };
  const keys: { in: 'header' | 'query' | 'cookie'; name: string }[] = [];
  const http = new Set<string>();
  for (const name of [...used].sort()) {
    const s = schemes?.[name];
    if (!s) continue;
    if (s.type === 'apiKey' && typeof s.name === 'string') keys.push({ in: (s.in ?? 'header') as 'header' | 'query' | 'cookie', name: s.name });
    else if (s.type === 'oauth2') security.oauth2 = true;
    else if (s.type === 'openIdConnect') security.openIdConnect = true;
    else if (s.type === 'http' && s.scheme) http.add(s.scheme.toLowerCase());
    else if (s.type === 'basic') http.add('basic');
  }
  // The gateway reads keys from a header (or the query): prefer those over a cookie.
  const rank = { header: 0, query: 1, cookie: 2 };
  security.apiKey = keys.sort((a, b) => rank[a.in] - rank[b.in])[0] ?? null;
  security.http = [...http].sort();
  return security;
}
