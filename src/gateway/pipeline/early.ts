/**
 * Routes whose chain has before-access policies (cors, ip-filter, request-size-limit at global,
 * API or operation scope): those run first, on an anonymous exchange, so a CORS preflight is
 * answered without an API key and an unwanted address is refused before its key is looked at.
 * Then the API's body limit and access decide; a refusal of theirs goes through the error phase
 * of the policies that ran (a 401 carries CORS headers). A granted call continues the same
 * exchange with the caller's chain, after the parts that already ran.
 */
import { authorize, type AccessTables, type Outcome } from '../access.ts';
import { isDenial } from '../tokens.ts';
import type { Chain } from './chain.ts';
import { afterRequest, internal, openExchange, runPipeline, type PipelineStart } from './driver.ts';
import type { GatewayExchange } from './exchange.ts';
import { runRequest } from './runner.ts';
import { sendRefusal } from './send.ts';

export interface EarlyStart extends PipelineStart {
  readonly access: AccessTables;
  readonly early: Chain;
  /**
   * Set when the route was found through a preflight's Access-Control-Request-Method (the API has
   * no OPTIONS operation): the `Allow` list to refuse with when no policy answered the OPTIONS.
   */
  readonly preflightAllow: string | null;
}

export function startBeforeAccess(p: EarlyStart): void {
  const x = openExchange(p);
  const step = runRequest(x, p.early);
  if (step === undefined) afterEarly(x, p);
  else step.then(() => afterEarly(x, p)).catch(() => internal(x));
}

function afterEarly(x: GatewayExchange, p: EarlyStart): void {
  if (x.res.destroyed) return;
  if (x.outcome !== 'open') return afterRequest(x, p.early, p.clientHost, p.seen.chunked);
  if (p.preflightAllow !== null) {
    x.refuse('PORTICO_METHOD_NOT_ALLOWED', undefined, { allow: p.preflightAllow });
    return sendRefusal(x, p.early);
  }
  const max = x.route.maxBodyBytes;
  if (p.seen.contentLength > max) {
    // Refused before reading a byte (and before 100 Continue, RFC 9110 §10.1.1).
    x.refuse('PORTICO_BODY_TOO_LARGE', `The request body exceeds ${max} bytes`);
    return sendRefusal(x, p.early);
  }
  const outcome = authorize(p.access, x.route.apiId, x.route.access, p.headers, p.context.query);
  if (outcome instanceof Promise) outcome.then((o) => granted(x, p, o)).catch(() => internal(x));
  else granted(x, p, outcome);
}

function granted(x: GatewayExchange, p: EarlyStart, outcome: Outcome): void {
  if (x.res.destroyed) return;
  if (isDenial(outcome)) {
    x.refuse(outcome.denied, outcome.detail, outcome.challenge === undefined ? undefined : { 'www-authenticate': outcome.challenge });
    return sendRefusal(x, p.early);
  }
  x.identify(outcome);
  p.track.context = outcome;
  const chain = x.route.policies!.chainFor(outcome);
  runPipeline(x, chain, p.early.parts.length, p.clientHost, p.seen.chunked);
}
