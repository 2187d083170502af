/**
 * Redis key layout: `<namespace><kind>:<policy key>[@<qualifier>]`. The policy's key comes right
 * after a one-letter kind, so an admin reset of a key prefix is one SCAN pattern over every kind.
 * The qualifier keeps incompatible states apart: a sliding window's length (its window index means
 * nothing under another length) and a calendar period's bounds (one counter per period, expiring at
 * its end).
 */
import type { PeriodBounds } from './calendar.ts';

export const slidingKey = (ns: string, key: string, windowMs: number): string => `${ns}s:${key}@${windowMs}`;
export const gcraKey = (ns: string, key: string): string => `${ns}g:${key}`;
export const intervalKey = (ns: string, key: string): string => `${ns}i:${key}`;
export const calendarKey = (ns: string, key: string, b: PeriodBounds): string => `${ns}c:${key}@${b.start}-${b.end}`;
export const leaseKey = (ns: string, key: string): string => `${ns}n:${key}`;

const glob = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** Every rate and quota counter (not the concurrency leases, which track calls really in flight). */
export const resetPattern = (ns: string, keyPrefix: string): string => `${glob(ns)}[sgic]:${glob(keyPrefix)}*`;
