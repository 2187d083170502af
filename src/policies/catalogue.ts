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
import { quota, rateLimit } from './limits.ts';
import { validateRequest } from './validate-request/policy.ts';
import { validateResponse } from './validate-response/policy.ts';
import { mockResponse } from './mock-response/policy.ts';

export const CATALOGUE = [setHeader, setQuery, rewritePath, setBackend, setBody, setVariable, choose, returnResponse, rateLimit, quota, validateRequest, validateResponse, mockResponse] as unknown as readonly PolicyDefinition<never>[];
