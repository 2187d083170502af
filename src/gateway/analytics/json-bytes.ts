/**
 * A growing byte buffer that JSON text is written into directly, one byte at a time from
 * JavaScript: a batch of ten thousand call records is then one Buffer, with neither the millions of
 * string pieces nor the final UTF-8 encoding that building it as a string costs.
 */
export class JsonBytes {
  #buf: Buffer;
  #at = 0;

  constructor(initialBytes: number) {
    this.#buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  /** Text known to be plain ASCII needing no escape (keys, punctuation). */
  ascii(s: string): void {
    const n = s.length;
    this.#room(n);
    const b = this.#buf;
    let at = this.#at;
    for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
    this.#at = at;
  }

  /** A JSON string, or `null`. */
  string(v: string | null): void {
    if (v === null) return this.ascii('null');
    const n = v.length;
    this.#room(n + 2);
    const b = this.#buf;
    let at = this.#at;
    b[at++] = 34; // "
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) {
        // Anything that needs escaping or is not ASCII: the whole value again, the general way,
        // from its opening quote.
        return this.#general(v, at - 1 - i);
      }
      b[at++] = c;
    }
    b[at++] = 34;
    this.#at = at;
  }

  /** A non-negative integer (status, byte counts, epoch milliseconds). */
  integer(v: number): void {
    this.ascii(String(v));
  }

  /** Milliseconds to the microsecond (`1.234`), written from integers. */
  millis(value: number): void {
    const us = Math.round(value * 1000);
    const frac = us % 1000;
    this.ascii(String((us - frac) / 1000));
    if (frac === 0) return;
    this.ascii(frac < 10 ? '.00' : frac < 100 ? '.0' : '.');
    this.ascii(String(frac));
  }

  /** The bytes written so far (a view: valid until the next write). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#at);
  }

  #general(v: string, start: number): void {
    const text = JSON.stringify(v);
    const size = Buffer.byteLength(text, 'utf8');
    this.#at = start;
    this.#room(size);
    this.#at += this.#buf.write(text, this.#at, 'utf8');
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + n));
    this.#buf.copy(bigger, 0, 0, this.#at);
    this.#buf = bigger;
  }
}
