import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { periodAt } from './calendar.ts';

const at = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString();

describe('calendar periods', () => {
  it('a Paris day is 23 hours long when summer time starts and 25 when it ends', () => {
    const spring = periodAt(at('2024-03-31T12:00:00Z'), 'day', 'Europe/Paris');
    assert.equal(iso(spring.start), '2024-03-30T23:00:00.000Z');
    assert.equal(iso(spring.end), '2024-03-31T22:00:00.000Z');
    const autumn = periodAt(at('2024-10-27T12:00:00Z'), 'day', 'Europe/Paris');
    assert.equal(iso(autumn.start), '2024-10-26T22:00:00.000Z');
    assert.equal(iso(autumn.end), '2024-10-27T23:00:00.000Z');
  });

  it('the last instant before local midnight belongs to the ending day', () => {
    const p = periodAt(at('2024-03-31T21:59:59.999Z'), 'day', 'Europe/Paris');
    assert.equal(iso(p.end), '2024-03-31T22:00:00.000Z');
    const next = periodAt(at('2024-03-31T22:00:00.000Z'), 'day', 'Europe/Paris');
    assert.equal(iso(next.start), '2024-03-31T22:00:00.000Z');
  });

  it('weeks start on Monday at local midnight, across the DST change', () => {
    const p = periodAt(at('2024-03-31T20:00:00Z'), 'week', 'Europe/Paris'); // Sunday evening
    assert.equal(iso(p.start), '2024-03-24T23:00:00.000Z'); // Monday 25 March, 00:00 CET
    assert.equal(iso(p.end), '2024-03-31T22:00:00.000Z'); // Monday 1 April, 00:00 CEST
  });

  it('months follow their real length, leap February and the year end included', () => {
    const feb = periodAt(at('2024-02-15T10:00:00Z'), 'month', 'Europe/Paris');
    assert.equal(iso(feb.start), '2024-01-31T23:00:00.000Z');
    assert.equal(iso(feb.end), '2024-02-29T23:00:00.000Z');
    const march = periodAt(at('2024-03-31T21:30:00Z'), 'month', 'Europe/Paris');
    assert.equal(iso(march.end), '2024-03-31T22:00:00.000Z');
    const dec = periodAt(at('2024-12-31T22:59:59Z'), 'month', 'Europe/Paris');
    assert.equal(iso(dec.start), '2024-11-30T23:00:00.000Z');
    assert.equal(iso(dec.end), '2024-12-31T23:00:00.000Z');
    const jan = periodAt(at('2024-12-31T23:00:00Z'), 'month', 'Europe/Paris');
    assert.equal(iso(jan.start), '2024-12-31T23:00:00.000Z');
    assert.equal(iso(jan.end), '2025-01-31T23:00:00.000Z');
  });

  it('a day starts at 01:00 where the clock jumps over midnight (Santiago)', () => {
    const p = periodAt(at('2024-09-08T12:00:00Z'), 'day', 'America/Santiago');
    assert.equal(iso(p.start), '2024-09-08T04:00:00.000Z'); // 01:00 -03; 00:00 never happened
    assert.equal(iso(p.end), '2024-09-09T03:00:00.000Z');
  });

  it('UTC and far-east zones have plain boundaries', () => {
    assert.equal(iso(periodAt(at('2024-05-05T05:00:00Z'), 'day', 'UTC').start), '2024-05-05T00:00:00.000Z');
    const kiri = periodAt(at('2024-05-05T05:00:00Z'), 'day', 'Pacific/Kiritimati'); // UTC+14
    assert.equal(iso(kiri.start), '2024-05-04T10:00:00.000Z');
  });

  it('refuses an unknown time zone', () => {
    assert.throws(() => periodAt(Date.now(), 'day', 'Mars/Olympus_Mons'), RangeError);
  });
});
