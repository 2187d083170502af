/**
 * CEL values back to plain JavaScript: integers are BigInt in cel-js (a number when it is safe, else
 * its decimal string), optionals unwrap to their value or null, maps (cel-js's typed objects are
 * Map subclasses) become objects, timestamps ISO strings, durations `"3600s"`. Bytes stay a
 * Uint8Array.
 */
import { Optional } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';

export function toPlain(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'object':
      return value === null ? null : objectToPlain(value);
    case 'undefined':
      return null;
    default:
      return value;
  }
}

function objectToPlain(value: object): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Uint8Array) return value;
  if (value instanceof Optional) return value.hasValue() ? toPlain(value.value()) : null;
  if (value instanceof UnsignedInt) return toPlain(value.valueOf());
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Duration) return value.toString();
  if (value instanceof Map) return entriesToPlain(Array.from(value as Map<unknown, unknown>, ([k, v]) => [String(k), v]));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return entriesToPlain(Object.entries(value));
  // A CEL type value (`type(x)`) and anything else cel-js may return: its own description.
  return String(value);
}

/** Absent fields (a typed root's unset `body`) are left out; fromEntries keeps `__proto__` a key. */
function entriesToPlain(entries: [string, unknown][]): Record<string, unknown> {
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined).map(([k, v]) => [k, toPlain(v)]));
}
