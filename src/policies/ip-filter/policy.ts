import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, PolicyConfigError } from '../sdk.ts';
import { clientAddress, compileList, matches } from './addresses.ts';

/** Client decisions remembered per policy; the memory is emptied when it holds this many. */
const DECISIONS_MAX = 10_000;
/** Longer X-Forwarded-For chains are decided every time, so the memory stays small. */
const KEY_MAX = 200;

const List = (description: string) => Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 10000, description }));

const schema = Type.Object(
  {
    allow: List('Addresses and CIDR ranges (IPv4 or IPv6) that may call; when set, every other address is refused'),
    deny: List('Addresses and CIDR ranges that are refused, even inside an allowed range'),
    trustedProxies: List('Proxies and load balancers in front of the gateway: when the connection comes from one, the client is the right-most X-Forwarded-For hop that is not one of them'),
  },
  { additionalProperties: false },
);

/** Azure ip-filter (one action per policy), Kong ip-restriction, Apiman IP Allowlist / Blocklist. */
export const ipFilter = definePolicy<Static<typeof schema>>({
  name: 'ip-filter',
  summary: 'Refuses calls from client addresses outside the allow list or inside the deny list.',
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config) {
    if ((config.allow ?? []).length === 0 && (config.deny ?? []).length === 0) throw new PolicyConfigError('', 'set allow, deny or both');
    const allow = config.allow === undefined || config.allow.length === 0 ? null : compileList(config.allow, '/allow');
    const deny = config.deny === undefined || config.deny.length === 0 ? null : compileList(config.deny, '/deny');
    const trusted = config.trustedProxies === undefined || config.trustedProxies.length === 0 ? null : compileList(config.trustedProxies, '/trustedProxies');
    const decide = (peer: string, forwardedFor: string | undefined): string | null => {
      const client = clientAddress(peer, forwardedFor, trusted);
      if (client === null) return 'The client address could not be determined';
      if ((deny !== null && matches(deny, client)) || (allow !== null && !matches(allow, client))) return `The client address ${client.address} is not allowed`;
      return null;
    };
    // The same clients call again and again: their decision is remembered (refusal detail or
    // null), so a call costs one Map lookup instead of parsing and matching its address.
    const decided = new Map<string, string | null>();
    return {
      beforeAccess: true,
      request(x) {
        const forwardedFor = trusted === null ? undefined : x.requestHeaders.get('x-forwarded-for');
        const peer = x.clientIp;
        const key = forwardedFor === undefined ? peer : `${peer} ${forwardedFor}`;
        let refusal = decided.get(key);
        if (refusal === undefined) {
          refusal = decide(peer, forwardedFor);
          if (key.length <= KEY_MAX) {
            if (decided.size >= DECISIONS_MAX) decided.clear();
            decided.set(key, refusal);
          }
        }
        if (refusal !== null) x.refuse('PORTICO_IP_FORBIDDEN', refusal);
      },
    };
  },
});
