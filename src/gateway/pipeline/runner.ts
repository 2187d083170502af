/**
 * Runs one phase of a chain. Synchronous as long as every handler is (a chain of header policies
 * costs no promise); the first handler that returns a promise moves the rest of the phase onto
 * it. A phase stops when a handler changes the exchange's outcome (answered or refused). A handler
 * that throws or rejects refuses the call with PORTICO_POLICY_FAILED naming the policy; its
 * message never carries a secret (templates describe themselves by name, not value).
 */
import type { Phase, Step } from '../../policies/sdk.ts';
import type { Chain, ChainPart } from './chain.ts';
import type { GatewayExchange } from './exchange.ts';
import { round } from './trace.ts';

/** Request phase, in chain order from part `from`; `x.ran` counts the parts that started. */
export function runRequest(x: GatewayExchange, chain: Chain, from = 0): Step {
  x.phase = 'request';
  return forward(x, chain.parts, from);
}

function forward(x: GatewayExchange, parts: readonly ChainPart[], from: number): Step {
  for (let i = from; i < parts.length; i++) {
    if (x.outcome !== 'open') return;
    const part = parts[i]!;
    x.ran = i + 1;
    if (part.instance.request === undefined) continue;
    if (x.unreadBody && part.instance.needs?.requestBody === true) return readBody(x).then(() => forward(x, parts, i));
    const step = call(x, part, 'request');
    if (step !== undefined) return step.then(() => forward(x, parts, i + 1));
  }
}

/** Response or error phase over the parts that ran, in reverse order. */
export function runBackward(x: GatewayExchange, chain: Chain, phase: 'response' | 'error'): Step {
  x.phase = phase;
  return backward(x, chain.parts, x.ran - 1, phase, x.outcome);
}

function backward(x: GatewayExchange, parts: readonly ChainPart[], from: number, phase: 'response' | 'error', start: GatewayExchange['outcome']): Step {
  for (let i = from; i >= 0; i--) {
    if (x.outcome !== start) return;
    const part = parts[i]!;
    if (part.instance[phase] === undefined) continue;
    const step = call(x, part, phase);
    if (step !== undefined) return step.then(() => backward(x, parts, i - 1, phase, start));
  }
}

/** Runs the part's handler for `phase` (which it has), as a method of its instance. */
function call(x: GatewayExchange, part: ChainPart, phase: Phase): Step {
  const trace = x.trace;
  const t0 = trace === null ? 0 : performance.now();
  const before = x.outcome;
  let step: Step;
  try {
    step = part.instance[phase]!(x);
  } catch (error) {
    failed(x, part, error);
    if (trace !== null) record(x, part, phase, t0, before);
    return;
  }
  if (step === undefined) {
    if (trace !== null) record(x, part, phase, t0, before);
    return;
  }
  return step.then(
    () => {
      if (trace !== null) record(x, part, phase, t0, before);
    },
    (error: unknown) => {
      failed(x, part, error);
      if (trace !== null) record(x, part, phase, t0, before);
    },
  );
}

function failed(x: GatewayExchange, part: ChainPart, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  x.failedPolicy = part.id;
  x.track.failedPolicy = part.type;
  if (x.phase === 'error') return; // already answering with a problem: keep the first cause
  x.refuse('PORTICO_POLICY_FAILED', `Policy ${part.type} (${part.id}) failed: ${message}`);
}

function record(x: GatewayExchange, part: ChainPart, phase: Phase, t0: number, before: GatewayExchange['outcome']): void {
  let decision = 'continue';
  if (x.failedPolicy === part.id) decision = `failed: ${x.errorDetail ?? ''}`;
  else if (x.outcome !== before) decision = x.outcome === 'answered' ? 'answered' : `refused: ${x.errorCode}`;
  x.trace!.add({ policy: part.id, type: part.type, scope: part.scope, scopeId: part.scopeId, phase, ms: round(performance.now() - t0), decision });
}

/** Reads the whole request body (bounded by the API's or a policy's limit) into `x.requestBody`. */
export function readBody(x: GatewayExchange): Promise<void> {
  x.unreadBody = false;
  const max = x.requestBodyLimit;
  if (x.expectContinue) x.res.writeContinue();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const req = x.req;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > max) {
        x.refuse('PORTICO_BODY_TOO_LARGE', `The request body exceeds ${max} bytes`);
        x.closeAfter = true;
        done();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      x.bodyRead = true;
      x.requestBody = total === 0 ? null : Buffer.concat(chunks, total);
      x.bytesIn = total;
      done();
    };
    const onError = () => {
      x.refuse('PORTICO_MALFORMED_REQUEST', 'The request body could not be read');
      x.closeAfter = true;
      done();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
