/**
 * Counter keys: `<subject kind>:<value>/<policy id>`. The subject comes first so that every counter
 * of one contract (or application) shares a prefix, which is what the management API resets and
 * reads (`contract:ctr_1/`). Free-form values (headers, expressions) longer than 64 characters are
 * hashed, so a client cannot make the store hold 8 KiB keys.
 */
import { createHash } from 'node:crypto';
import type { Exchange } from '../sdk.ts';

export type SubjectOf = (x: Exchange) => string;

const LONG = 64;

export function subjectKey(kind: string, value: string, policyId: string): string {
  const v = value.length > LONG ? `#${createHash('sha256').update(value).digest('base64url')}` : value;
  return `${kind}:${v}/${policyId}`;
}

/** Prefix of every counter kept per this contract (usage, reset). */
export function contractPrefix(contractId: string): string {
  return `contract:${contractId}/`;
}

/** Prefix of every counter kept per this application. */
export function applicationPrefix(applicationId: string): string {
  return `application:${applicationId}/`;
}
