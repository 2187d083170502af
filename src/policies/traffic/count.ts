/**
 * The request handler of the counting policies (rate limit, quota, spike arrest): one `consume`
 * per call. Over the memory store the decision is a plain value and the handler finishes
 * synchronously — no promise on the request path; over Redis it waits for the one round trip.
 */
import type { ErrorCode } from '../../core/errors.ts';
import type { Counters, Decision, FailMode, Rule } from '../counters.ts';
import type { TSchema } from 'typebox';
import { definePolicy, type Exchange, type PolicyDefinition, type PolicyInstance, type Step } from '../sdk.ts';
import { compileCost, compileSubject, type Keyed } from './fields.ts';
import { REPORTING, report } from './report.ts';
import type { SubjectOf } from './keys.ts';

export interface Counting {
  readonly rule: Rule;
  readonly subject: SubjectOf;
  readonly cost: (x: Exchange) => number;
  readonly failMode: FailMode;
  /** The refusal's code and detail (`Rate limit of 5 calls per minute exceeded`). */
  readonly code: ErrorCode;
  readonly detail: string;
}

function countingInstance(c: Counting): PolicyInstance {
  const settle = (x: Exchange, d: Decision): void => {
    if (d.unavailable) return x.refuse('PORTICO_LIMITS_UNAVAILABLE');
    report(x, d);
    if (!d.allowed) x.refuse(c.code, c.detail);
  };
  return {
    request(x): Step {
      const d = counters(x).consume(c.subject(x), c.rule, c.cost(x), Date.now(), c.failMode);
      if (isPromise(d)) return d.then((v) => settle(x, v));
      settle(x, d);
    },
    ...REPORTING,
  };
}

export function counters(x: Exchange): Counters {
  return x.services.limits;
}

export function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

export interface CountingType<C> {
  readonly name: string;
  readonly summary: string;
  readonly doc: string;
  readonly schema: TSchema;
  readonly rule: (config: C) => Rule;
  readonly code: ErrorCode;
  readonly detail: (config: C, rule: Rule) => string;
}

/** A policy type that counts each call once against one rule (rate limit, quota, spike arrest). */
export function countingPolicy<C extends Keyed & { cost?: number | string; failMode?: FailMode }>(t: CountingType<C>): PolicyDefinition<C> {
  return definePolicy<C>({
    name: t.name,
    summary: t.summary,
    doc: t.doc,
    phases: ['request', 'response', 'error'],
    schema: t.schema,
    compile(config, env) {
      const rule = t.rule(config);
      return countingInstance({ rule, subject: compileSubject(config, env.policyId), cost: compileCost(config.cost), failMode: config.failMode ?? 'open', code: t.code, detail: t.detail(config, rule) });
    },
  });
}
