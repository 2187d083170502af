/**
 * Runs nested policies (a choose branch) for one phase: request in order, response and error in
 * reverse, synchronous until a handler returns a promise, stopping when the outcome changes —
 * the same rules the gateway's runner applies to the chain.
 */
import type { Exchange, Phase, PolicyInstance, Step } from './sdk.ts';

export function runList(list: readonly PolicyInstance[], phase: Phase, x: Exchange): Step {
  const start = x.outcome;
  return phase === 'request' ? forward(list, x, 0, start) : backward(list, phase, x, list.length - 1, start);
}

function forward(list: readonly PolicyInstance[], x: Exchange, from: number, start: Exchange['outcome']): Step {
  for (let i = from; i < list.length; i++) {
    if (x.outcome !== start) return;
    const p = list[i]!;
    const step = p.request?.(x);
    if (step !== undefined) return step.then(() => forward(list, x, i + 1, start));
  }
}

function backward(list: readonly PolicyInstance[], phase: Phase, x: Exchange, from: number, start: Exchange['outcome']): Step {
  for (let i = from; i >= 0; i--) {
    if (x.outcome !== start) return;
    const p = list[i]!;
    const step = phase === 'response' ? p.response?.(x) : p.error?.(x);
    if (step !== undefined) return step.then(() => backward(list, phase, x, i - 1, start));
  }
}

/** The union of what a set of policies needs buffered. */
export function needsOf(list: readonly PolicyInstance[], extra: { requestBody?: boolean; responseBody?: boolean } = {}): { requestBody: boolean; responseBody: boolean } {
  return {
    requestBody: extra.requestBody === true || list.some((p) => p.needs?.requestBody === true),
    responseBody: extra.responseBody === true || list.some((p) => p.needs?.responseBody === true),
  };
}
