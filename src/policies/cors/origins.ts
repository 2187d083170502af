/**
 * The origins a CORS policy allows, compiled once: exact origins in a Set, wildcard-subdomain
 * patterns (`https://*.example.com`) in one regular expression, `*` as a flag. Origins are
 * compared as browsers serialise them (RFC 6454 §6.2: lower-case scheme and host, no default
 * port, no path), and the config is held to the same form, so a trailing slash or an upper-case
 * host is refused when the policy is written instead of never matching.
 */
import { PolicyConfigError } from '../sdk.ts';

export interface OriginMatcher {
  /** Every origin is allowed (`*`). */
  readonly any: boolean;
  allows(origin: string): boolean;
}

const WILDCARD = /^(https?):\/\/\*\.([^/:]+)(:\d{1,5})?$/;

function serialised(text: string): string | null {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileOrigins(origins: readonly string[]): OriginMatcher {
  if (origins.includes('*')) {
    if (origins.length > 1) throw new PolicyConfigError(`/origins/${origins.indexOf('*')}`, '"*" allows every origin: list it alone');
    return { any: true, allows: () => true };
  }
  const exact = new Set<string>();
  const patterns: string[] = [];
  origins.forEach((origin, i) => {
    const wild = WILDCARD.exec(origin);
    // `https://*.example.com` is checked as `https://x.example.com` would be.
    const probe = wild === null ? origin : `${wild[1]}://x.${wild[2]}${wild[3] ?? ''}`;
    const normal = serialised(probe);
    if (normal !== probe) {
      const hint = normal === null ? 'an origin is scheme://host[:port], `*` or https://*.domain' : `write it as ${wild === null ? normal : normal.replace('://x.', '://*.')}`;
      throw new PolicyConfigError(`/origins/${i}`, `"${origin}" is not an origin: ${hint}`);
    }
    if (wild === null) exact.add(origin);
    else patterns.push(`${wild[1]}://(?:[a-z0-9-]+\\.)+${escape(wild[2]!)}${escape(wild[3] ?? '')}`);
  });
  const wildcard = patterns.length === 0 ? null : new RegExp(`^(?:${patterns.join('|')})$`);
  return { any: false, allows: (origin) => exact.has(origin) || (wildcard !== null && wildcard.test(origin)) };
}
