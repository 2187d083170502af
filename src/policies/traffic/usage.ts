/**
 * Which counters a policy keeps per contract or per application, and under which rule: what the
 * management API reads to show an application's usage. Limits keyed otherwise (client address,
 * header, expression) have no counter an application owns; concurrency slots are not usage.
 */
import type { Rule } from '../counters.ts';
import { quotaRule } from '../quota/policy.ts';
import { rateLimitRule } from '../rate-limit/policy.ts';
import { spikeArrestRule } from '../spike-arrest/policy.ts';
import { transferQuotaRule } from '../transfer-quota/policy.ts';
import { subjectKey } from './keys.ts';

const RULES: Record<string, (config: never) => Rule> = {
  'rate-limit': rateLimitRule,
  quota: quotaRule,
  'spike-arrest': spikeArrestRule,
  'transfer-quota': transferQuotaRule,
};

export interface CountedLimit {
  readonly rule: Rule;
  readonly per: 'contract' | 'application';
}

/** The limit a stored (validated) policy counts per contract or application; null for any other. */
export function countedLimit(type: string, config: Record<string, unknown>): CountedLimit | null {
  const ruleOf = RULES[type];
  if (ruleOf === undefined || config.key !== undefined) return null;
  const by = config.by ?? 'contract';
  if (by !== 'contract' && by !== 'application') return null;
  return { rule: ruleOf(config as never), per: by };
}

/** The counter key of that limit for a contract or an application. */
export function limitKey(per: 'contract' | 'application', id: string, policyId: string): string {
  return subjectKey(per, id, policyId);
}
