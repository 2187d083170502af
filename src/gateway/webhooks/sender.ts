/**
 * The gateway's webhook sender (log-to-webhook): one per process, outliving snapshots. Each
 * policy has a bounded queue; documents leave in batches (a JSON array per POST) when a batch is
 * full or its oldest document has waited `maxDelayMs`, one POST in flight per queue so batches
 * arrive in order. A failed POST is retried with back-off, then its documents are counted as
 * lost; a full queue drops new documents and counts them. Nothing here is awaited on the request
 * path. Logs name the policy, never the URL or the headers (they may carry secrets).
 */
import type { Logger } from 'pino';
import { Agent } from 'undici';
import type { WebhookEndpoint, WebhookSender } from '../../policies/webhooks.ts';
import { backoffMs } from '../upstream/retry.ts';

const BACKOFF = { delayMs: 200, factor: 2, maxDelayMs: 5_000, jitter: true };
/** Drops are logged at most this often per queue (the close summary has the totals). */
const DROP_LOG_INTERVAL_MS = 10_000;

interface Queue {
  endpoint: WebhookEndpoint;
  /** Serialised documents, oldest first. */
  readonly items: string[];
  timer: NodeJS.Timeout | null;
  inFlight: boolean;
  dropped: number;
  lost: number;
  droppedLoggedAt: number;
}

export interface GatewayWebhooks extends WebhookSender {
  /** Sends what is queued (no new retries), waits up to `deadlineMs`, then cuts what is left. */
  close(deadlineMs?: number): Promise<void>;
}

export function createWebhookSender(logger?: Logger): GatewayWebhooks {
  const queues = new Map<string, Queue>();
  const agent = new Agent({ keepAliveTimeout: 4_000, connections: 64 });
  let closing = false;
  let idle: (() => void) | null = null;

  const settle = (q: Queue) => {
    if (q.items.length > 0 || q.inFlight || queues.get(q.endpoint.id) !== q) return;
    if (q.timer !== null) clearTimeout(q.timer);
    queues.delete(q.endpoint.id);
    if (q.dropped > 0 || q.lost > 0) logger?.warn({ policy: q.endpoint.id, dropped: q.dropped, lost: q.lost }, 'webhook: documents were not delivered');
    if (closing && queues.size === 0) idle?.();
  };

  const schedule = (q: Queue) => {
    if (q.inFlight || q.items.length === 0) return settle(q);
    if (closing || q.items.length >= q.endpoint.maxBatch) return flush(q);
    if (q.timer === null) {
      q.timer = setTimeout(() => flush(q), q.endpoint.maxDelayMs);
      q.timer.unref();
    }
  };

  const flush = (q: Queue) => {
    if (q.timer !== null) clearTimeout(q.timer);
    q.timer = null;
    if (q.inFlight || q.items.length === 0) return settle(q);
    q.inFlight = true;
    const batch = q.items.splice(0, q.endpoint.maxBatch);
    deliver(q, `[${batch.join(',')}]`, batch.length, 0);
  };

  const deliver = (q: Queue, body: string, count: number, attempt: number) => {
    const e = q.endpoint;
    post(agent, e, body).then(
      (status) => done(q, body, count, attempt, status),
      (error: unknown) => done(q, body, count, attempt, (error as { code?: string }).code ?? 'error'),
    );
  };

  const done = (q: Queue, body: string, count: number, attempt: number, result: number | string) => {
    const ok = typeof result === 'number' && result >= 200 && result < 300;
    const retryable = typeof result === 'string' || result === 429 || result >= 500;
    if (!ok && retryable && attempt < q.endpoint.retries && !closing) {
      const timer = setTimeout(() => deliver(q, body, count, attempt + 1), backoffMs(BACKOFF, attempt + 1));
      timer.unref();
      return;
    }
    if (!ok) {
      q.lost += count;
      logger?.warn({ policy: q.endpoint.id, documents: count, attempts: attempt + 1, result }, 'webhook: a batch could not be delivered');
    }
    q.inFlight = false;
    schedule(q);
  };

  return {
    send(endpoint, document) {
      if (closing) return false;
      let q = queues.get(endpoint.id);
      if (q === undefined) {
        q = { endpoint, items: [], timer: null, inFlight: false, dropped: 0, lost: 0, droppedLoggedAt: -Infinity };
        queues.set(endpoint.id, q);
      }
      q.endpoint = endpoint; // a new snapshot's settings apply from now on
      if (q.items.length >= endpoint.queueMax) {
        q.dropped++;
        const now = Date.now();
        if (now - q.droppedLoggedAt >= DROP_LOG_INTERVAL_MS) {
          q.droppedLoggedAt = now;
          logger?.warn({ policy: endpoint.id, dropped: q.dropped, queueMax: endpoint.queueMax }, 'webhook: queue full, documents dropped');
        }
        return false;
      }
      let text: string;
      try {
        text = JSON.stringify(document);
      } catch {
        q.lost++;
        return false;
      }
      q.items.push(text);
      schedule(q);
      return true;
    },
    async close(deadlineMs = 5_000) {
      closing = true;
      if (queues.size > 0) {
        const drained = new Promise<void>((resolve) => (idle = resolve));
        for (const q of [...queues.values()]) schedule(q);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
        clearTimeout(timer);
        for (const q of queues.values()) {
          q.lost += q.items.length;
          q.items.length = 0;
          if (q.lost > 0 || q.dropped > 0) logger?.warn({ policy: q.endpoint.id, dropped: q.dropped, lost: q.lost }, 'webhook: documents were not delivered');
        }
        queues.clear();
      }
      await agent.destroy().catch(() => {});
    },
  };
}

/** One POST; resolves with the status once the answer was read (its body is discarded). */
async function post(agent: Agent, e: WebhookEndpoint, body: string): Promise<number> {
  const url = new URL(e.url);
  const res = await agent.request({
    origin: url.origin,
    path: url.pathname + url.search,
    method: 'POST',
    headers: { ...e.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    body,
    headersTimeout: e.timeoutMs,
    bodyTimeout: e.timeoutMs,
  });
  await res.body.dump();
  return res.statusCode;
}
