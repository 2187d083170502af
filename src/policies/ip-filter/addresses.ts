/**
 * Address lists of the ip-filter policy: IPv4 and IPv6 addresses and CIDR ranges compiled once
 * into a node:net BlockList (one check per address, whatever the list's length). IPv4-mapped
 * IPv6 addresses (`::ffff:10.0.0.1`, how a dual-stack socket reports an IPv4 peer) are matched as
 * the IPv4 address they carry, in rules and in requests alike.
 */
import { BlockList, isIP } from 'node:net';
import { PolicyConfigError } from '../sdk.ts';

export interface Address {
  readonly address: string;
  readonly family: 'ipv4' | 'ipv6';
}

const MAPPED_DOTTED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** An address as sent by a socket or an X-Forwarded-For hop (`[2001:db8::1]:443`, `1.2.3.4:80`, `fe80::1%eth0`), or null. */
export function parseAddress(text: string): Address | null {
  let s = text.trim();
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end === -1) return null;
    s = s.slice(1, end);
  } else if (s.indexOf(':') !== -1 && s.indexOf(':') === s.lastIndexOf(':') && s.indexOf('.') !== -1) s = s.slice(0, s.indexOf(':'));
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 4) return { address: s, family: 'ipv4' };
  if (family !== 6) return null;
  const dotted = MAPPED_DOTTED.exec(s);
  if (dotted !== null) return { address: dotted[1]!, family: 'ipv4' };
  const hex = MAPPED_HEX.exec(s);
  if (hex !== null) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address: s.toLowerCase(), family: 'ipv6' };
}

/** Compiles `10.0.0.0/8`, `2001:db8::/32`, `::ffff:192.0.2.0/120` or a single address; errors point at `/<field>/<i>`. */
export function compileList(entries: readonly string[], pointer: string): BlockList {
  const list = new BlockList();
  entries.forEach((entry, i) => {
    const slash = entry.indexOf('/');
    const base = slash === -1 ? entry : entry.slice(0, slash);
    const parsed = isIP(base) === 0 || base.includes('%') ? null : parseAddress(base);
    const bad = (why: string) => new PolicyConfigError(`${pointer}/${i}`, `"${entry}" ${why}`);
    if (parsed === null) throw bad('is not an IPv4 or IPv6 address or CIDR range');
    if (slash === -1) return list.addAddress(parsed.address, parsed.family);
    const text = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text)) throw bad('has no valid prefix length');
    let prefix = Number(text);
    // A mapped range is the IPv4 range it carries (`::ffff:192.0.2.0/120` is 192.0.2.0/24).
    if (parsed.family === 'ipv4' && isIP(base) === 6) {
      if (prefix < 96) throw bad('covers more than IPv4-mapped addresses: write an IPv6 range without ::ffff:');
      prefix -= 96;
    }
    if (prefix > (parsed.family === 'ipv4' ? 32 : 128)) throw bad(`has a prefix length over ${parsed.family === 'ipv4' ? 32 : 128}`);
    list.addSubnet(parsed.address, prefix, parsed.family);
  });
  return list;
}

export function matches(list: BlockList, a: Address): boolean {
  return list.check(a.address, a.family);
}

/**
 * The client address: the socket peer, unless the peer is a trusted proxy; then X-Forwarded-For
 * is read from the right (the gateway appended the peer last) and the first hop that is not a
 * trusted proxy is the client (RFC 7239 §7.4: only hops added by trusted proxies are reliable).
 * Every hop trusted: the left-most. Null when that hop is not an address.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: BlockList | null): Address | null {
  const direct = parseAddress(peer);
  if (direct === null || trusted === null || !matches(trusted, direct) || forwardedFor === undefined) return direct;
  const hops = forwardedFor.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i]!);
    if (hop === null) return null;
    if (i === 0 || !matches(trusted, hop)) return hop;
  }
  return direct;
}
