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
import { cors } from './cors/policy.ts';
import { ipFilter } from './ip-filter/policy.ts';
import { requestSizeLimit } from './request-size-limit/policy.ts';
import { retry } from './retry/policy.ts';
import { timeout } from './timeout/policy.ts';
import { logToWebhook } from './log-to-webhook/policy.ts';
import { jsonToXmlPolicy } from './json-to-xml/policy.ts';
import { xmlToJsonPolicy } from './xml-to-json/policy.ts';
import { findReplace } from './find-replace/policy.ts';
import { backendAuth } from './backend-auth/policy.ts';
import { validateRequest } from './validate-request/policy.ts';
import { validateResponse } from './validate-response/policy.ts';
import { mockResponse } from './mock-response/policy.ts';
import { cache } from './cache/policy.ts';

export const CATALOGUE = [setHeader, setQuery, rewritePath, setBackend, setBody, setVariable, choose, returnResponse, rateLimit, quota, spikeArrest, transferQuota, concurrencyLimit, cors, ipFilter, requestSizeLimit, retry, timeout, logToWebhook, jsonToXmlPolicy, xmlToJsonPolicy, findReplace, backendAuth, validateRequest, validateResponse, mockResponse, cache] as unknown as readonly PolicyDefinition<never>[];
