/**
 * Route lookup: one radix tree (find-my-way) per API host plus one for APIs without a host. A
 * tree is keyed by path only; the stored entry holds routes by method, so a single lookup answers
 * both "which route" and, on a miss, "which methods would have worked" (405 + Allow,
 * RFC 9110 §15.5.6). Header/query versions are chosen among the routes of an entry.
 */
import FindMyWay from 'find-my-way';
import { queryParam } from './request-path.ts';
import type { CompiledRoute, PathEntry } from './runtime.ts';

type Tree = FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;

const NOOP = (): void => {};

function newTree(): Tree {
  return FindMyWay({
    caseSensitive: true,
    ignoreTrailingSlash: false,
    maxParamLength: 8192,
    // The query is split off before lookup; never parse it here.
    querystringParser: () => ({}),
  });
}

/** Node's raw request header list (`[name, value, …]`), read only for header versioning. */
export type HeaderReader = readonly string[];

/** First value of a header by lower-case name. */
export function rawHeader(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === lowerName.length && n.toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}

export class Router {
  #byHost = new Map<string, Tree>();
  #anyHost: Tree | null = null;
  #entries = new Map<Tree, Map<string, PathEntry>>();

  add(host: string | null, path: string, method: string | null, route: CompiledRoute): void {
    let tree: Tree;
    if (host === null) tree = this.#anyHost ??= newTree();
    else {
      let t = this.#byHost.get(host);
      if (t === undefined) this.#byHost.set(host, (t = newTree()));
      tree = t;
    }
    let entries = this.#entries.get(tree);
    if (entries === undefined) this.#entries.set(tree, (entries = new Map()));
    let entry = entries.get(path);
    if (entry === undefined) {
      entry = { byMethod: new Map(), any: [] };
      entries.set(path, entry);
      tree.on('GET', path, NOOP, entry);
    }
    if (method === null) entry.any.push(route);
    else {
      const list = entry.byMethod.get(method);
      if (list === undefined) entry.byMethod.set(method, [route]);
      else list.push(route);
    }
  }

  freeze(): this {
    this.#entries.clear();
    return Object.freeze(this);
  }

  /**
   * The route for a request, or null. `hostname` is lower case without port. A host-specific
   * tree is tried first, then the tree of APIs that answer on any host.
   */
  find(method: string, hostname: string, path: string, query: string | null, header: HeaderReader): CompiledRoute | null {
    if (this.#byHost.size !== 0) {
      const tree = this.#byHost.get(hostname);
      if (tree !== undefined) {
        const r = pick(lookup(tree, path), method, query, header);
        if (r !== null) return r;
      }
    }
    return this.#anyHost === null ? null : pick(lookup(this.#anyHost, path), method, query, header);
  }

  /** Methods that would match this path (for 405); empty when the path itself is unknown. */
  allowed(hostname: string, path: string, query: string | null, header: HeaderReader): string[] {
    const out = new Set<string>();
    const trees = [this.#byHost.get(hostname), this.#anyHost];
    for (const tree of trees) {
      if (tree === undefined || tree === null) continue;
      const entry = lookup(tree, path);
      if (entry === null) continue;
      for (const [method, routes] of entry.byMethod) {
        if (routes.some((r) => versionMatches(r, query, header))) out.add(method);
      }
    }
    return [...out];
  }
}

function lookup(tree: Tree, path: string): PathEntry | null {
  try {
    const found = tree.find('GET', path);
    return found === null ? null : (found.store as PathEntry);
  } catch {
    return null;
  }
}

function pick(entry: PathEntry | null, method: string, query: string | null, header: HeaderReader): CompiledRoute | null {
  if (entry === null) return null;
  const routes = entry.byMethod.get(method) ?? entry.any;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (r.versionScheme === 'none' || r.versionScheme === 'path' || versionMatches(r, query, header)) return r;
  }
  // A method-specific list may hold only other versions; fall back to pass-through routes.
  if (routes !== entry.any) return pick({ byMethod: EMPTY, any: entry.any }, method, query, header);
  return null;
}

const EMPTY = new Map<string, CompiledRoute[]>();

function versionMatches(r: CompiledRoute, query: string | null, header: HeaderReader): boolean {
  switch (r.versionScheme) {
    case 'header':
      return rawHeader(header, r.versionName!) === r.version;
    case 'query':
      return queryParam(query, r.versionName!) === r.version;
    default:
      return true;
  }
}
