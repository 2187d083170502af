/**
 * The SDK's `Headers` over the gateway's flat `[name, value, …]` arrays (headers.ts), so a policy
 * edits the very list that is sent: no copy per request, repeated fields kept apart. Names keep
 * the case the client sent; a lookup lower-cases only names of the right length.
 */
import type { Headers } from '../../policies/sdk.ts';

export class HeaderList implements Headers {
  constructor(readonly list: string[]) {}

  get(name: string): string | undefined {
    const n = name.toLowerCase();
    const l = this.list;
    let found: string | undefined;
    for (let i = 0; i < l.length; i += 2) {
      if (same(l[i]!, n)) found = found === undefined ? l[i + 1]! : `${found}, ${l[i + 1]!}`;
    }
    return found;
  }

  has(name: string): boolean {
    const n = name.toLowerCase();
    const l = this.list;
    for (let i = 0; i < l.length; i += 2) if (same(l[i]!, n)) return true;
    return false;
  }

  set(name: string, value: string): void {
    this.setAll([name, value]);
  }

  add(name: string, value: string): void {
    this.list.push(name, value);
  }

  setAll(fields: readonly string[]): void {
    this.#drop(fields);
    for (let i = 0; i < fields.length; i++) this.list.push(fields[i]!);
  }

  remove(name: string): void {
    this.#drop([name, '']);
  }

  /** Removes every field named in the flat `fields`, in one pass. */
  #drop(fields: readonly string[]): void {
    const l = this.list;
    let w = 0;
    for (let r = 0; r < l.length; r += 2) {
      if (named(fields, l[r]!)) continue;
      if (w !== r) {
        l[w] = l[r]!;
        l[w + 1] = l[r + 1]!;
      }
      w += 2;
    }
    if (w !== l.length) l.length = w;
  }

  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    const l = this.list;
    for (let i = 0; i < l.length; i += 2) {
      const n = l[i]!.toLowerCase();
      out[n] = out[n] === undefined ? l[i + 1]! : `${out[n]}, ${l[i + 1]!}`;
    }
    return out;
  }
}

/** `name` is one of the names of the flat `fields`, ignoring case (lower-cased only on equal lengths). */
function named(fields: readonly string[], name: string): boolean {
  for (let i = 0; i < fields.length; i += 2) {
    const f = fields[i]!;
    if (f.length === name.length && (f === name || f.toLowerCase() === name.toLowerCase())) return true;
  }
  return false;
}

/** `name` equals the lower-case `lower`, ignoring case. */
function same(name: string, lower: string): boolean {
  return name.length === lower.length && (name === lower || name.toLowerCase() === lower);
}
