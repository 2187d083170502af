/**
 * Passive health per target: `failureThreshold` consecutive failures open the circuit for
 * `cooldownMs`; after the cooldown one trial request is let through (half-open). Its success
 * closes the circuit, its failure opens it again. Nothing is probed actively: the traffic itself
 * is the health check. A trial whose outcome is never reported (the client went away) expires
 * after another cooldown so a target can never stay locked out.
 */
export class CircuitBreaker {
  #failures = 0;
  #openUntil = 0;
  #trialUntil = 0;
  readonly failureThreshold: number;
  readonly cooldownMs: number;

  constructor(failureThreshold: number, cooldownMs: number) {
    // A threshold of 0 or less disables the breaker.
    this.failureThreshold = failureThreshold;
    this.cooldownMs = cooldownMs;
  }

  /** Could a request go to this target now? Does not claim the half-open trial. */
  canTry(now: number): boolean {
    return this.#openUntil === 0 || (now >= this.#openUntil && now >= this.#trialUntil);
  }

  /** May a request go to this target now? Claims the half-open trial when it says yes after a cooldown. */
  allow(now: number): boolean {
    if (this.#openUntil === 0) return true;
    if (now < this.#openUntil || now < this.#trialUntil) return false;
    this.#trialUntil = now + this.cooldownMs;
    return true;
  }

  get isOpen(): boolean {
    return this.#openUntil !== 0;
  }

  success(): void {
    if (this.#failures === 0 && this.#openUntil === 0) return;
    this.#failures = 0;
    this.#openUntil = 0;
    this.#trialUntil = 0;
  }

  failure(now: number): void {
    this.#trialUntil = 0;
    if (this.failureThreshold <= 0) return;
    this.#failures++;
    if (this.#failures >= this.failureThreshold) this.#openUntil = now + this.cooldownMs;
  }
}
