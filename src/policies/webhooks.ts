/**
 * What a policy may ask of the gateway's webhook sender (log-to-webhook). The gateway creates one
 * sender per process (src/gateway/webhooks/) and hands it over in PolicyServices; policies only
 * see this interface, so they never import gateway code.
 */

/** Where and how one policy's documents are delivered; compiled once per snapshot. */
export interface WebhookEndpoint {
  /** The policy's id: its documents share one queue and are batched together. */
  readonly id: string;
  /** Absolute http(s) URL; may carry a secret (a named value), so it is never logged. */
  readonly url: string;
  /** Extra request headers (secrets allowed: never logged). */
  readonly headers: Readonly<Record<string, string>>;
  /** Most documents in one POST (a JSON array). */
  readonly maxBatch: number;
  /** Longest time a document waits for its batch to fill. */
  readonly maxDelayMs: number;
  /** Documents held at most while the webhook is slow or down; beyond, new ones are dropped and counted. */
  readonly queueMax: number;
  /** Further attempts of a failed batch (network error, 429 or 5xx), with exponential back-off. */
  readonly retries: number;
  /** Longest wait for the webhook's answer to one POST. */
  readonly timeoutMs: number;
}

export interface WebhookSender {
  /**
   * Queues one JSON-serialisable document and returns at once; never throws. False when the
   * queue was full (dropped and counted) or the gateway is closing.
   */
  send(endpoint: WebhookEndpoint, document: unknown): boolean;
}
