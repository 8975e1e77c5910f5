import { test } from 'node:test';
import assert from 'node:assert/strict';
import { civilFromDays, CronError, firstFiringMs, nextFireMs, parseCron } from './cron.ts';
import { parseIsoInstantMs } from '../wf-run/time.ts';

function ms(iso: string): number {
  const out = parseIsoInstantMs(iso);
  if (out === undefined) throw new Error(`bad test date ${iso}`);
  return out;
}

function next(expr: string, afterIso: string): number | undefined {
  return nextFireMs(parseCron(expr), ms(afterIso));
}

/** The first `count` firings after afterIso, as ISO-like minute strings. */
function firings(expr: string, afterIso: string, count: number): string[] {
  const schedule = parseCron(expr);
  const out: string[] = [];
  let at = ms(afterIso);
  for (let i = 0; i < count; i++) {
    const n = nextFireMs(schedule, at);
    if (n === undefined) break;
    out.push(minuteString(n));
    at = n;
  }
  return out;
}

function minuteString(t: number): string {
  const day = Math.floor(t / 86_400_000);
  const { year, month, dayOfMonth } = civilFromDays(day);
  const minuteOfDay = Math.floor((t - day * 86_400_000) / 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${year}-${p(month)}-${p(dayOfMonth)} ${p(Math.floor(minuteOfDay / 60))}:${p(minuteOfDay % 60)}`;
}

test('every minute fires at the next whole minute, strictly after the given time', () => {
  assert.equal(next('* * * * *', '2024-05-01T10:00:00Z'), ms('2024-05-01T10:01:00Z'));
  assert.equal(next('* * * * *', '2024-05-01T10:00:59.999Z'), ms('2024-05-01T10:01:00Z'));
  assert.equal(next('* * * * *', '2024-12-31T23:59:30Z'), ms('2025-01-01T00:00:00Z'));
});

test('lists, ranges and steps', () => {
  assert.deepEqual(firings('0,30 9-10 * * *', '2024-05-01T00:00:00Z', 5), [
    '2024-05-01 09:00', '2024-05-01 09:30', '2024-05-01 10:00', '2024-05-01 10:30', '2024-05-02 09:00',
  ]);
  assert.deepEqual(firings('*/15 * * * *', '2024-05-01T10:07:00Z', 3), ['2024-05-01 10:15', '2024-05-01 10:30', '2024-05-01 10:45']);
  assert.deepEqual(firings('10-40/10 8 * * *', '2024-05-01T00:00:00Z', 4), [
    '2024-05-01 08:10', '2024-05-01 08:20', '2024-05-01 08:30', '2024-05-01 08:40',
  ]);
  assert.deepEqual(firings('50/5 0 * * *', '2024-05-01T00:00:00Z', 3), ['2024-05-01 00:50', '2024-05-01 00:55', '2024-05-02 00:50']);
});

test('month and weekday names, any case; 7 is Sunday like 0', () => {
  // 2024-05-01 is a Wednesday.
  assert.deepEqual(firings('0 12 * * mon-fri', '2024-05-03T13:00:00Z', 2), ['2024-05-06 12:00', '2024-05-07 12:00']);
  assert.deepEqual(firings('0 0 * * 7', '2024-05-01T00:00:00Z', 2), ['2024-05-05 00:00', '2024-05-12 00:00']);
  assert.deepEqual(firings('0 0 * * SUN', '2024-05-01T00:00:00Z', 1), ['2024-05-05 00:00']);
  assert.deepEqual(firings('0 0 1 jan,Jul *', '2024-05-01T00:00:00Z', 3), ['2024-07-01 00:00', '2025-01-01 00:00', '2025-07-01 00:00']);
});

test('day of month and day of week: either matches when both are restricted, both otherwise', () => {
  // The 13th, or any Friday.
  assert.deepEqual(firings('0 0 13 * 5', '2024-09-01T00:00:00Z', 4), [
    '2024-09-06 00:00', '2024-09-13 00:00', '2024-09-20 00:00', '2024-09-27 00:00',
  ]);
  assert.deepEqual(firings('0 0 */10 * *', '2024-09-01T00:00:00Z', 3), ['2024-09-11 00:00', '2024-09-21 00:00', '2024-10-01 00:00']);
  // A star-led weekday field leaves day of month in charge.
  assert.deepEqual(firings('0 0 15 * */1', '2024-09-01T00:00:00Z', 1), ['2024-09-15 00:00']);
});

test('leap days and months without the day', () => {
  assert.deepEqual(firings('0 0 29 2 *', '2024-03-01T00:00:00Z', 2), ['2028-02-29 00:00', '2032-02-29 00:00']);
  assert.deepEqual(firings('0 0 31 * *', '2024-04-01T00:00:00Z', 2), ['2024-05-31 00:00', '2024-07-31 00:00']);
});

test('invalid expressions are refused with a reason', () => {
  for (const bad of ['', '* * * *', '* * * * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8',
    '5-1 * * * *', '*/0 * * * *', 'a * * * *', '1,,2 * * * *', '* * * FOO *', '1/2/3 * * * *', '-1 * * * *']) {
    assert.throws(() => parseCron(bad), CronError, `expected '${bad}' to be refused`);
  }
});

test('an expression that never fires is refused', () => {
  assert.throws(() => firstFiringMs('0 0 30 2 *', ms('2024-01-01T00:00:00Z')), /does not yield a next execution time/);
  assert.equal(firstFiringMs('0 0 31 12 *', ms('2024-01-01T00:00:00Z')), ms('2024-12-31T00:00:00Z'));
});

test('civil dates from day numbers', () => {
  assert.deepEqual(civilFromDays(0), { year: 1970, month: 1, dayOfMonth: 1 });
  assert.deepEqual(civilFromDays(Math.floor(ms('2000-02-29T12:00:00Z') / 86_400_000)), { year: 2000, month: 2, dayOfMonth: 29 });
});
