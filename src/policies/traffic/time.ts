/** Window lengths and time zones, checked when a policy is compiled. */
import { PolicyConfigError } from '../sdk.ts';

export const WINDOW_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Per = keyof typeof WINDOW_MS;

/** An IANA time zone this Node knows, else a config error at `pointer`. */
export function timeZone(tz: string | undefined, pointer: string): string {
  const zone = tz ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new PolicyConfigError(pointer, `unknown time zone "${zone}"`);
  }
  return zone;
}
