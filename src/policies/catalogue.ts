/**
 * The policy catalogue: every type, in the order GET /policy-types lists them.
 */
import type { PolicyDefinition } from './sdk.ts';
import { setHeader } from './set-header/policy.ts';
import { quota, rateLimit } from './limits.ts';

export const CATALOGUE = [setHeader, rateLimit, quota] as unknown as readonly PolicyDefinition<never>[];
