/**
 * The policy SDK: what a policy type is (a schema, a doc and handlers per phase) and the view of
 * one exchange its handlers get. The gateway implements `Exchange` (src/gateway/pipeline/); policy
 * modules see only this file, so a policy can never reach the store or the network except through
 * the services the gateway hands it.
 *
 * Phases (Azure inbound / outbound / on-error; Kong access / header_filter / log):
 * - `request` runs in chain order before the backend is called; a handler may answer or refuse.
 * - `response` runs in reverse order on the backend's answer, or on an answer a request handler gave.
 * - `error` runs in reverse order when a policy refused or the backend failed, before the problem
 *   document is sent (to add headers such as CORS's or RateLimit-*).
 */
import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import type { ErrorCode } from '../core/errors.ts';
import type { ResponseCache } from './cache-store.ts';
import type { Counters, Decision } from './counters.ts';
import type { WebhookSender } from './webhooks.ts';

export const PHASES = ['request', 'response', 'error'] as const;
export type Phase = (typeof PHASES)[number];

/** A header list over a flat `[name, value, name, value]` array; names compared case-insensitively. */
export interface Headers {
  get(name: string): string | undefined;
  /** Replaces every field of this name with one. */
  set(name: string, value: string): void;
  /** Appends a field (repeatable fields such as Set-Cookie). */
  add(name: string, value: string): void;
  /**
   * `set` for several fields at once, given flat (`[name, value, …]`): fields of those names are
   * replaced in one pass over the list, however many are set.
   */
  setAll(fields: readonly string[]): void;
  remove(name: string): void;
  has(name: string): boolean;
  /** Lower-case name → value (repeated fields joined with `, `). */
  toRecord(): Record<string, string>;
}

export interface Consumer {
  readonly applicationId: string;
  readonly contractId: string | null;
  readonly productId: string | null;
  readonly planId: string | null;
  /** Plan label as sent in the identity header (`Gold;version=1`). */
  readonly plan: string | null;
  readonly userId: string | null;
}

export interface RetrySettings {
  /** Extra attempts after the first. */
  readonly attempts: number;
  /** Backend statuses that cause a retry (connection failures always do). */
  readonly statuses: ReadonlySet<number>;
  readonly delayMs: number;
  readonly maxDelayMs: number;
  /** Multiplier of the delay after each attempt (1: constant). */
  readonly factor: number;
  /** Retry methods that are not idempotent too (their body is replayed from the buffer). */
  readonly unsafeMethods: boolean;
  /** Spread each delay over [delay/2, delay] at random, so many gateways do not retry in step. */
  readonly jitter: boolean;
}

export interface DoneInfo {
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** One request's state as policies see and change it. */
export interface Exchange {
  readonly phase: Phase;
  /** `answered` after respond(), `refused` after refuse() or a backend failure. */
  readonly outcome: 'open' | 'answered' | 'refused';
  readonly requestId: string;
  readonly method: string;
  /** Address of the client (the socket's peer; policies that trust proxies read X-Forwarded-For). */
  readonly clientIp: string;
  readonly api: { readonly id: string; readonly name: string; readonly version: string | null; readonly organizationId: string };
  readonly operation: { readonly id: string | null; readonly method: string; readonly path: string } | null;
  /** The calling application; null on public APIs called without credentials. */
  readonly consumer: Consumer | null;
  readonly claims: Readonly<Record<string, unknown>> | null;
  readonly vars: Record<string, unknown>;
  /** Path below the API's base path as sent to the backend (`/orders/7`). */
  path: string;
  /** Raw query without `?` (`a=1&b=2`), `''` for none. */
  query: string;
  readonly requestHeaders: Headers;
  /** The request body; null until a policy that declared `needs.requestBody` runs, or when empty. */
  requestBody: Buffer | null;
  /** Absolute backend URL replacing the API's backend (set-backend); null: the API's. */
  backendUrl: string | null;
  /** Read timeout for the backend call (timeout policy); null: the backend's. */
  timeoutMs: number | null;
  retry: RetrySettings | null;
  /**
   * Most request body bytes accepted: the API's limit until a policy lowers it (request-size-limit).
   * Enforced while an unread body streams to the backend, and when a policy reads it.
   */
  requestBodyLimit: number;
  /** Response status (response and error phases). */
  status: number;
  readonly responseHeaders: Headers;
  /** Set by the cache policy when it answered from the cache (the call record's cacheHit). */
  cacheHit: boolean;
  /** The response body in the response phase when a policy declared `needs.responseBody`. */
  responseBody: Buffer | null;
  /** The tightest limit decision so far (traffic policies write RateLimit-* from it); null: none. */
  limitDecision: Decision | null;
  /** In the error phase: the code of the refusal or failure. */
  readonly errorCode: ErrorCode | null;
  /** Answer now with this response (request phase); the backend is not called. */
  respond(status: number, headers: Record<string, string>, body: string | Buffer): void;
  /** Refuse with a catalogued problem (request or response phase). */
  refuse(code: ErrorCode, detail?: string, headers?: Record<string, string>, extra?: Record<string, unknown>): void;
  /** Called once when the exchange ends (transfer counting, releasing a concurrency slot). */
  onDone(fn: (info: DoneInfo) => void): void;
  readonly services: PolicyServices;
}

/** What the gateway hands its policies, created once per gateway process. */
export interface PolicyServices {
  /** Counters of the traffic-control policies (src/gateway/limits/: memory or Redis). */
  readonly limits: Counters;
  /** Response cache of the `cache` policy (src/gateway/cache/: memory or Redis). */
  readonly cache: ResponseCache | null;
  /** Sends JSON documents to a URL off the request path (log-to-webhook); null: none in this process. */
  readonly webhooks: WebhookSender | null;
  /** Warn once per cause, never with secret values. */
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** What a handler returns: nothing when it finished synchronously, or a promise. */
export type Step = void | Promise<void>;

export interface PolicyInstance {
  /** Buffering is opt-in: a chain whose policies declare none streams both ways. */
  readonly needs?: { readonly requestBody?: boolean; readonly responseBody?: boolean };
  /**
   * At global, API and operation scope, run the request phase before key verification, at the
   * head of the chain (Kong runs cors and ip-restriction before its auth plugins): the consumer is
   * still null, and the error phase also runs when access refuses the call, so a 401 carries CORS
   * headers. At product, plan and application scope the caller must be known: the flag is ignored.
   */
  readonly beforeAccess?: boolean;
  request?(x: Exchange): Step;
  /** Without `needs.responseBody` it must finish synchronously (the response is streaming). */
  response?(x: Exchange): Step;
  error?(x: Exchange): Step;
}

/** Compile-time context: named values (secrets) of the organization, by name. */
export interface CompileEnv {
  readonly namedValues: ReadonlyMap<string, string>;
  /** Id of the policy being compiled (counter keys, traces). */
  readonly policyId: string;
  readonly scope: { readonly type: string; readonly id: string | null };
  /** The operation's OpenAPI description when the policy is at operation or API scope. */
  readonly operationSpec?: unknown;
  /** Validates and compiles a nested policy (choose); errors point below `pointer`. */
  readonly compile?: (type: string, config: unknown, pointer: string) => PolicyInstance;
}

/** A config problem found while compiling: reported with a JSON pointer into the config. */
export class PolicyConfigError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PolicyDefinition<C = Record<string, unknown>> {
  readonly name: string;
  /** One line for lists. */
  readonly summary: string;
  /** Markdown: what it does, an example, what differs from other gateways. */
  readonly doc: string;
  readonly phases: readonly Phase[];
  readonly schema: TSchema;
  /** Compile once per operation (with its OpenAPI spec) instead of once per API. */
  readonly perOperation?: boolean;
  /** Runs once per snapshot (and at write time to validate); throws PolicyConfigError. */
  compile(config: C, env: CompileEnv): PolicyInstance;
}

/** Identity helper that keeps `config` typed by the schema's static type. */
export function definePolicy<C>(definition: PolicyDefinition<C>): PolicyDefinition<C> {
  return definition;
}

/** The README.md beside a policy module (its doc, served by GET /policy-types). */
export function docBeside(moduleUrl: string): string {
  return readFileSync(new URL('./README.md', moduleUrl), 'utf8');
}
