/**
 * The strict Redis store's decisions of one event-loop turn, sent as one script call. Requests
 * that arrive together (a poll phase delivers many at a busy node) are decided by one EVALSHA that
 * runs each of them in order, atomically, instead of one command each: the client library's
 * per-command work (command object, argument encoding, reply parsing, one promise) is paid once
 * per turn. The call leaves when the turn ends (`setImmediate` runs after the poll phase), so no
 * decision waits longer than the turn that asked for it; a turn with more than `maxPerCall`
 * decisions sends several calls.
 */
import type { Arg, Reply } from './redis-scripts.ts';

/** `s` sliding window, `g` GCRA (and spike arrest), `k` calendar quota. */
export type DecideOp = 's' | 'g' | 'k';

/** Sends `keys.length` decisions (six arguments each in `args`) and answers five integers per key. */
export type SendDecisions = (keys: string[], args: Arg[]) => Promise<number[]>;

interface Waiting {
  resolve(reply: Reply): void;
  reject(err: unknown): void;
}

export class DecisionBatch {
  #keys: string[] = [];
  #args: Arg[] = [];
  #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(
    readonly send: SendDecisions,
    readonly maxPerCall = 500,
  ) {}

  /** `window` is the window length in ms, or for a calendar quota the period's end (epoch ms). */
  decide(op: DecideOp, key: string, limit: number, window: number, now: number, cost: number, write: string): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.#keys.push(key);
      this.#args.push(op, limit, window, now, cost, write);
      this.#waiting.push({ resolve, reject });
      if (this.#keys.length >= this.maxPerCall) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
    if (this.#keys.length === 0) return;
    const keys = this.#keys;
    const args = this.#args;
    const waiting = this.#waiting;
    this.#keys = [];
    this.#args = [];
    this.#waiting = [];
    let sent: Promise<number[]>;
    try {
      sent = this.send(keys, args);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (flat) => {
        for (let i = 0; i < waiting.length; i++) {
          const at = i * 5;
          waiting[i]!.resolve([flat[at]!, flat[at + 1]!, flat[at + 2]!, flat[at + 3]!, flat[at + 4]!]);
        }
      },
      (err: unknown) => {
        for (const w of waiting) w.reject(err);
      },
    );
  }
}
