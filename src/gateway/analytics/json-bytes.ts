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

  /** One ASCII character by its code (`,` is 44). */
  byte(code: number): void {
    this.#room(1);
    this.#buf[this.#at++] = code;
  }

  /** A JSON string of bytes known to need no escape. */
  quoted(bytes: Uint8Array, start: number, length: number): void {
    this.#room(length + 2);
    const b = this.#buf;
    let at = this.#at;
    b[at++] = 34;
    for (let k = 0; k < length; k++) b[at++] = bytes[start + k]!;
    b[at++] = 34;
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

  /** A whole number (status, byte counts, offsets, -1), written digit by digit without a string. */
  integer(v: number): void {
    if (!Number.isSafeInteger(v)) return this.ascii(JSON.stringify(v));
    this.#room(17);
    const b = this.#buf;
    if (v < 0) {
      b[this.#at++] = 45; // -
      v = -v;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let at = this.#at + digits;
    this.#at = at;
    do {
      const q = Math.floor(v / 10);
      b[--at] = 48 + v - q * 10;
      v = q;
    } while (v > 0);
  }

  /** A JSON array of whole numbers. */
  integers(values: Int32Array): void {
    this.byte(91); // [
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.byte(44); // ,
      this.integer(values[i]!);
    }
    this.byte(93); // ]
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
