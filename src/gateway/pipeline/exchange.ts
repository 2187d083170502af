/**
 * One request's state while its policy chain runs: the SDK's `Exchange`, backed by the very header
 * list and path the proxy sends, so a policy's edit costs no copy. Created only for routes that
 * have policies; routes without any never see this class.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '../../core/errors.ts';
import type { Decision } from '../../policies/counters.ts';
import type { Consumer, DoneInfo, Exchange, Phase, PolicyServices, RetrySettings } from '../../policies/sdk.ts';
import type { RequestContext } from '../access.ts';
import type { CompiledRoute } from '../runtime.ts';
import { HeaderList } from './header-list.ts';
import type { TraceRecorder } from './trace.ts';
import type { CallMarks } from '../analytics/track.ts';

export type ExchangeOutcome = 'open' | 'answered' | 'refused';

export class GatewayExchange implements Exchange {
  phase: Phase = 'request';
  outcome: ExchangeOutcome = 'open';
  /** How many chain parts started their request phase (the response phase runs those, reversed). */
  ran = 0;
  readonly requestHeaders: HeaderList;
  requestBody: Buffer | null = null;
  /** True once the request body was read into `requestBody` (then it is sent from there). */
  bodyRead = false;
  backendUrl: string | null = null;
  timeoutMs: number | null = null;
  retry: RetrySettings | null = null;
  requestBodyLimit: number;
  status = 0;
  responseHeaders = new HeaderList([]);
  responseBody: Buffer | null = null;
  errorCode: ErrorCode | null = null;
  errorDetail: string | undefined = undefined;
  errorExtra: Record<string, unknown> | undefined = undefined;
  cacheHit = false;
  limitDecision: Decision | null = null;
  /** Id of a policy whose handler threw (traces say `failed`). */
  failedPolicy: string | null = null;
  /** Close the connection after answering (a body was left unread or cut). */
  closeAfter = false;
  bytesIn = 0;
  bytesOut = 0;
  #consumer: Consumer | null | undefined = undefined;
  #vars: Record<string, unknown> | null = null;
  #done: ((info: DoneInfo) => void)[] | null = null;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly route: CompiledRoute,
    readonly requestId: string,
    headers: string[],
    public context: RequestContext,
    public path: string,
    public query: string,
    readonly services: PolicyServices,
    readonly trace: TraceRecorder | null,
    /** Whether the client sent a body that nobody has read yet. */
    public unreadBody: boolean,
    readonly expectContinue: boolean,
    /** The call being measured. */
    readonly track: CallMarks,
  ) {
    this.requestHeaders = new HeaderList(headers);
    this.requestBodyLimit = route.maxBodyBytes;
  }

  /** Access named the caller after the before-access policies ran (pipeline/early.ts). */
  identify(context: RequestContext): void {
    this.context = context;
    this.query = context.query ?? '';
    this.#consumer = undefined;
  }

  /** Made on first use: most chains set no variable. */
  get vars(): Record<string, unknown> {
    return (this.#vars ??= {});
  }

  get method(): string {
    return this.req.method!;
  }

  get clientIp(): string {
    return this.req.socket.remoteAddress ?? '';
  }

  get api(): Exchange['api'] {
    return this.route.api;
  }

  get operation(): Exchange['operation'] {
    return this.route.operation;
  }

  get claims(): Readonly<Record<string, unknown>> | null {
    return this.context.claims as Readonly<Record<string, unknown>> | null;
  }

  get consumer(): Consumer | null {
    if (this.#consumer === undefined) {
      const c = this.context;
      this.#consumer =
        c.applicationId === null
          ? null
          : { applicationId: c.applicationId, contractId: c.contractId, productId: c.productId, planId: c.planId, plan: c.plan, userId: c.userId };
    }
    return this.#consumer;
  }

  respond(status: number, headers: Record<string, string>, body: string | Buffer): void {
    if (this.phase !== 'request') throw new Error('respond() is only allowed in the request phase');
    this.outcome = 'answered';
    this.status = status;
    for (const name of Object.keys(headers)) this.responseHeaders.set(name, headers[name]!);
    this.responseBody = typeof body === 'string' ? Buffer.from(body) : body;
  }

  refuse(code: ErrorCode, detail?: string, headers?: Record<string, string>, extra?: Record<string, unknown>): void {
    // A refusal replaces the answer: the backend's headers must not describe the problem document.
    if (this.phase === 'response') this.responseHeaders = new HeaderList([]);
    this.outcome = 'refused';
    this.errorCode = code;
    this.errorDetail = detail;
    this.errorExtra = extra;
    if (headers !== undefined) for (const name of Object.keys(headers)) this.responseHeaders.set(name, headers[name]!);
  }

  /** A failure that did not come from a policy (the backend's): the error phase then runs. */
  fail(code: ErrorCode, detail?: string): void {
    this.responseHeaders = new HeaderList([]);
    this.outcome = 'refused';
    this.errorCode = code;
    this.errorDetail = detail;
  }

  onDone(fn: (info: DoneInfo) => void): void {
    if (this.#done === null) {
      this.#done = [];
      this.res.once('close', () => this.#finish());
    }
    this.#done.push(fn);
  }

  #finish(): void {
    const info: DoneInfo = { status: this.res.headersSent ? this.res.statusCode : 499, bytesIn: this.bytesIn, bytesOut: this.bytesOut };
    for (const fn of this.#done!) {
      try {
        fn(info);
      } catch (error) {
        this.services.warn('policy: a completion hook failed', { api: this.route.apiId, error: (error as Error).message });
      }
    }
  }
}
