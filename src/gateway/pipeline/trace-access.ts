/**
 * Who may trace: a request carrying `Portico-Trace-Token` with a token the control plane issued
 * for the route's organization (POST …/trace-tokens, publisher role) gets a recorder; any other
 * value is ignored — the call runs untraced, and the token never reaches the backend.
 */
import type { AccessTables } from '../access.ts';
import { isDenial } from '../tokens.ts';
import { TraceRecorder } from './trace.ts';

export function traceFor(tables: AccessTables, token: string | null, organizationId: string, apiId: string, requestId: string): TraceRecorder | null | Promise<TraceRecorder | null> {
  if (token === null || tables.traceTokens === null) return null;
  const verified = tables.traceTokens.verify(token);
  const decide = (v: Exclude<typeof verified, Promise<unknown>>) => (isDenial(v) || v.applicationId !== organizationId ? null : new TraceRecorder(requestId, apiId));
  return verified instanceof Promise ? verified.then(decide, () => null) : decide(verified);
}
