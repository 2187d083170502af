/**
 * The request target, taken apart without decoding it: the path and query are forwarded to the
 * backend byte for byte (RFC 9110 §4.2.3 makes percent-encoding significant to the origin).
 *
 * Traversal policy: Portico REFUSES (400 PORTICO_PATH_REJECTED) rather than normalises. A path is
 * refused when any segment is `.` or `..` (literally or percent-encoded, RFC 3986 §5.2.4 would
 * resolve them and climb out of the API's base path at the backend), or when it contains an
 * encoded slash or backslash (`%2F`, `%5C`), a raw backslash or an encoded NUL: backends disagree on
 * whether to decode those, so they could turn one segment into several behind our routing.
 */

export interface RequestTarget {
  path: string;
  /** Raw query without the `?`, or null when the target has none. */
  query: string | null;
  /** Host taken from an absolute-form target (RFC 9112 §3.2.2), which overrides the Host header. */
  host: string | null;
}

const ENCODED_FORBIDDEN = /%(?:2f|5c|00)/i;
const ENCODED_DOT = /%2e/gi;

/** Splits `req.url`; null when the target is neither origin-form nor absolute-form. */
export function parseTarget(url: string): RequestTarget | null {
  let host: string | null = null;
  if (url.charCodeAt(0) !== 47 /* / */) {
    // Absolute form: a gateway must accept it (RFC 9112 §3.2.2). Asterisk and authority forms
    // (OPTIONS *, CONNECT) name no resource Portico can route.
    const m = /^https?:\/\/([^/?#]+)([^#]*)$/i.exec(url);
    if (m === null) return null;
    host = m[1]!;
    url = m[2] === '' ? '/' : m[2]!;
    if (url.charCodeAt(0) !== 47) url = '/' + url;
  }
  const q = url.indexOf('?');
  if (q === -1) return { path: url, query: null, host };
  return { path: url.slice(0, q), query: url.slice(q + 1), host };
}

/** False when the path could climb out of the API's base path at the backend (see above). */
export function isSafePath(path: string): boolean {
  if (path.indexOf('%') === -1 && path.indexOf('.') === -1 && path.indexOf('\\') === -1) return true;
  if (path.indexOf('\\') !== -1 || ENCODED_FORBIDDEN.test(path)) return false;
  const decoded = path.indexOf('%') === -1 ? path : path.replace(ENCODED_DOT, '.');
  let start = 0;
  while (start <= decoded.length) {
    let end = decoded.indexOf('/', start);
    if (end === -1) end = decoded.length;
    const len = end - start;
    if ((len === 1 && decoded.charCodeAt(start) === 46) || (len === 2 && decoded.startsWith('..', start))) return false;
    start = end + 1;
  }
  return true;
}

/**
 * The part of `path` after its first `segments` segments: `/orders/v2/7` minus 2 is `/7`.
 * Counting segments rather than characters keeps the rest byte-exact even when the client
 * percent-encoded characters of the base path.
 */
export function stripSegments(path: string, segments: number): string {
  let idx = 0;
  for (let k = 0; k < segments; k++) {
    idx = path.indexOf('/', idx + 1);
    if (idx === -1) return '';
  }
  return segments === 0 ? path : path.slice(idx);
}

/** Target base path + rest + query; never empty (RFC 9112 §3.2.1: origin-form is at least `/`). */
export function upstreamPath(basePath: string, rest: string, query: string | null): string {
  let p = basePath + rest;
  if (p === '') p = '/';
  return query === null ? p : p + '?' + query;
}

/** Value of the first query parameter named `name` (decoded), or null. */
export function queryParam(query: string | null, name: string): string | null {
  if (query === null) return null;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (safeDecode(key) === name) return eq === -1 ? '' : safeDecode(pair.slice(eq + 1));
  }
  return null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
