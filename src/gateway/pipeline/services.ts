/**
 * The services a gateway hands its policies: counters, caches and the webhook sender are
 * created once per gateway process and outlive snapshots (a rate limit's count survives a
 * configuration change); warnings are logged once per distinct message.
 */
import type { Logger } from 'pino';
import type { Counters } from '../../policies/counters.ts';
import type { ResponseCache } from '../../policies/cache-store.ts';
import type { PolicyServices } from '../../policies/sdk.ts';
import type { WebhookSender } from '../../policies/webhooks.ts';

export interface ServiceParts {
  logger?: Logger;
  limits: Counters;
  cache?: ResponseCache;
  webhooks?: WebhookSender;
}

const WARNED_MAX = 1000;

export function createPolicyServices(parts: ServiceParts): PolicyServices {
  const warned = new Set<string>();
  return {
    limits: parts.limits,
    cache: parts.cache ?? null,
    webhooks: parts.webhooks ?? null,
    warn(message, fields) {
      if (warned.has(message)) return;
      if (warned.size < WARNED_MAX) warned.add(message);
      parts.logger?.warn(fields ?? {}, message);
    },
  };
}
