/** Media types: matching a Content-Type to the declared ones, and choosing one by Accept. */

/** `Application/JSON; charset=utf-8` → `application/json`; '' when absent. */
export function mediaTypeOf(header: string | undefined): string {
  return header === undefined ? '' : header.split(';')[0]!.trim().toLowerCase();
}

/** JSON media types (`application/json`, `application/problem+json`): their bodies are validated. */
export function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** The declared key a concrete type falls under: exact, then `type/*`, then `*` + `/*`; null: none. */
export function declaredFor(declared: Iterable<string>, type: string): string | null {
  const keys = [...declared];
  if (keys.includes(type)) return type;
  const range = `${type.split('/')[0]}/*`;
  if (keys.includes(range)) return range;
  return keys.includes('*/*') ? '*/*' : null;
}

/**
 * The declared type that best matches Accept (RFC 9110 §12.5.1: highest q, then the declared
 * order); the first declared type when Accept is absent or matches none (a mock answers anyway).
 */
export function negotiate(declared: readonly string[], accept: string | undefined): string | undefined {
  if (accept === undefined || declared.length <= 1) return declared[0];
  let best: string | undefined;
  let bestQ = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > bestQ)) continue;
    const hit = declared.find((d) => range === '*/*' || range === d || (range.endsWith('/*') && d.startsWith(range.slice(0, -1))));
    if (hit !== undefined) {
      best = hit;
      bestQ = q;
    }
  }
  return best ?? declared[0];
}
