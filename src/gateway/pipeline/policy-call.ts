/**
 * The proxied exchange of a route with policies: ProxyCall plus the response and error phases,
 * retry on backend statuses (retry policy) and a per-call timeout (timeout policy). The backend's
 * answer streams unless a policy of the chain reads the response body; then it is buffered up to
 * RESPONSE_BUFFER_MAX and sent with its new length.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ErrorCode } from '../../core/errors.ts';
import { responseHeaders } from '../headers.ts';
import { ProxyCall } from '../proxy.ts';
import type { RouteTarget } from '../runtime.ts';
import { backoffMs, isIdempotent, isRetryableError } from '../upstream/retry.ts';
import type { Chain } from './chain.ts';
import type { GatewayExchange } from './exchange.ts';
import { HeaderList } from './header-list.ts';
import { runBackward } from './runner.ts';
import { sendAnswer, sendRefusal } from './send.ts';

/** Largest backend answer a transforming policy may buffer. */
export const RESPONSE_BUFFER_MAX = 16 * 1024 * 1024;

export class PolicyProxyCall extends ProxyCall {
  readonly x: GatewayExchange;
  readonly chain: Chain;
  #chunks: Buffer[] | null = null;
  #buffered = 0;
  /** Set while an answer we decided to retry is being aborted: its error is not a failure. */
  #discarding = false;

  constructor(
    x: GatewayExchange,
    chain: Chain,
    req: IncomingMessage,
    res: ServerResponse,
    target: RouteTarget,
    headers: string[],
    hostIndex: number,
    body: Dispatcher.DispatchOptions['body'],
  ) {
    super(req, res, x.route, target, x.requestId, headers, hostIndex, body, x.path, x.query === '' ? '' : '?' + x.query, x.track);
    this.x = x;
    this.chain = chain;
    if (x.timeoutMs !== null) {
      this.options.headersTimeout = x.timeoutMs;
      this.options.bodyTimeout = x.timeoutMs;
    }
  }

  override onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    this.observe(statusCode);
    if (this.#retryStatus(statusCode)) return false;
    this.track.backendAnswered();
    this.responded = true;
    this.resume = resume;
    if (this.res.destroyed) return false;
    const x = this.x;
    x.status = statusCode;
    x.responseHeaders = new HeaderList(responseHeaders(rawHeaders, this.requestId));
    if (this.chain.responseBody) {
      this.#chunks = [];
      return true;
    }
    const step = this.chain.hasResponse ? runBackward(x, this.chain, 'response') : undefined;
    if (step === undefined) return this.#head();
    step
      .then(() => {
        if (this.#head()) resume();
      })
      .catch(() => this.#cut());
    return false;
  }

  /** Writes the (policy-edited) head, or answers the refusal a response policy made. */
  #head(): boolean {
    const x = this.x;
    if (x.outcome === 'refused') {
      this.finished = true;
      this.abort?.();
      sendRefusal(x, this.chain);
      return false;
    }
    if (x.trace !== null) x.responseHeaders.set('portico-trace', x.trace.encode({ url: this.target.url, status: x.status }));
    this.res.writeHead(x.status, x.responseHeaders.list);
    return true;
  }

  override onData(chunk: Buffer): boolean {
    this.x.bytesOut += chunk.length;
    if (this.#chunks === null) return super.onData(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered > RESPONSE_BUFFER_MAX) {
      this.#chunks = null;
      this.finished = true;
      this.abort?.();
      this.x.fail('PORTICO_POLICY_FAILED', `The backend answer exceeds ${RESPONSE_BUFFER_MAX} bytes, the most a response policy can read`);
      sendRefusal(this.x, this.chain);
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  override onComplete(): void {
    if (this.#chunks === null) {
      super.onComplete();
      return;
    }
    this.finished = true;
    const x = this.x;
    x.responseBody = this.#buffered === 0 ? null : Buffer.concat(this.#chunks, this.#buffered);
    this.#chunks = null;
    const step = runBackward(x, this.chain, 'response');
    const send = () => (x.outcome === 'refused' ? sendRefusal(x, this.chain) : sendAnswer(x, this.target.url));
    if (step === undefined) send();
    else step.then(send).catch(() => this.#cut());
  }

  override onError(err: Error): void {
    if (this.#discarding) return;
    super.onError(err);
  }

  protected override fail(code: ErrorCode, detail?: string, close = false): void {
    const x = this.x;
    x.fail(code, detail);
    if (close) x.closeAfter = true;
    sendRefusal(x, this.chain);
  }

  /** `attempts` counts every start, so connection failures and retried statuses share one budget. */
  protected override canRetry(err: Error): boolean {
    const retry = this.x.retry;
    if (retry === null) return super.canRetry(err);
    return this.attempts <= retry.attempts && this.#replayable(retry.unsafeMethods) && isRetryableError(err);
  }

  /** With a retry policy the next attempt waits for the back-off. */
  protected override again(): boolean {
    const retry = this.x.retry;
    if (retry === null) return super.again();
    const timer = setTimeout(() => {
      if (this.finished || this.res.destroyed) return;
      if (super.again()) return;
      this.finished = true;
      this.fail('PORTICO_CIRCUIT_OPEN');
    }, backoffMs(retry, this.attempts));
    timer.unref();
    return true;
  }

  /** A URL a policy chose (set-backend) is retried as is, never swapped for the API's backend. */
  protected override nextTarget(): RouteTarget | null {
    return this.x.backendUrl === null ? super.nextTarget() : this.target;
  }

  #replayable(unsafe: boolean): boolean {
    const body = this.options.body;
    return (body === null || body === undefined || Buffer.isBuffer(body)) && (unsafe || isIdempotent(this.req.method!));
  }

  /** A status the retry policy names: drop this answer and try again after the back-off. */
  #retryStatus(statusCode: number): boolean {
    const retry = this.x.retry;
    if (retry === null || !retry.statuses.has(statusCode) || this.attempts > retry.attempts || !this.#replayable(retry.unsafeMethods)) return false;
    this.#discarding = true;
    this.abort?.();
    this.#discarding = false;
    this.abort = null;
    return this.again();
  }

  #cut(): void {
    this.finished = true;
    this.abort?.();
    if (!this.res.headersSent) sendRefusal(this.x, this.chain);
    else this.res.destroy();
  }
}
