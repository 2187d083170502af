/**
 * The policy catalogue: every type, in the order GET /policy-types lists them.
 */
import type { PolicyDefinition } from './sdk.ts';
import { choose } from './choose/policy.ts';
import { returnResponse } from './return-response/policy.ts';
import { rewritePath } from './rewrite-path/policy.ts';
import { setBackend } from './set-backend/policy.ts';
import { setBody } from './set-body/policy.ts';
import { setHeader } from './set-header/policy.ts';
import { setQuery } from './set-query/policy.ts';
import { setVariable } from './set-variable/policy.ts';
import { rateLimit } from './rate-limit/policy.ts';
import { quota } from './quota/policy.ts';
import { spikeArrest } from './spike-arrest/policy.ts';
import { transferQuota } from './transfer-quota/policy.ts';
import { concurrencyLimit } from './concurrency-limit/policy.ts';
import { cache } from './cache/policy.ts';

export const CATALOGUE = [setHeader, setQuery, rewritePath, setBackend, setBody, setVariable, choose, returnResponse, rateLimit, quota, spikeArrest, transferQuota, concurrencyLimit, cache] as unknown as readonly PolicyDefinition<never>[];
