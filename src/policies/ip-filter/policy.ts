import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, PolicyConfigError } from '../sdk.ts';
import { clientAddress, compileList, matches } from './addresses.ts';

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
    return {
      beforeAccess: true,
      request(x) {
        const client = clientAddress(x.clientIp, trusted === null ? undefined : x.requestHeaders.get('x-forwarded-for'), trusted);
        if (client === null) return x.refuse('PORTICO_IP_FORBIDDEN', 'The client address could not be determined');
        if ((deny !== null && matches(deny, client)) || (allow !== null && !matches(allow, client))) {
          x.refuse('PORTICO_IP_FORBIDDEN', `The client address ${client.address} is not allowed`);
        }
      },
    };
  },
});
