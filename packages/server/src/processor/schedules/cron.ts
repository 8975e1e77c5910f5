// Five-field UNIX cron expressions (minute hour day-of-month month day-of-week), as upstream
// accepts them through cron-utils' UNIX definition, evaluated in UTC. Written by hand because the
// processor may not use the built-in date API: all calendar arithmetic is on day numbers.
//
// Each field is a comma list of `*`, `N`, `N-M`, each optionally followed by `/STEP`; `N/STEP`
// means N to the field's maximum. Months accept JAN-DEC and days of week SUN-SAT (any case);
// day of week 7 is Sunday like 0. When both day fields are restricted a day matching either one
// fires (the classic Vixie rule); a field written with a leading `*` (`*`, `*/2`) is unrestricted.

export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday ... 6 = Saturday. */
  readonly daysOfWeek: ReadonlySet<number>;
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

export class CronError extends Error {
  override readonly name = 'CronError';
}

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Index of names[0]. */
  readonly namesBase?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], namesBase: 1 },
  { label: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], namesBase: 0 },
];

const MAX_EXPRESSION_LENGTH = 1_000;

export function parseCron(expression: string): CronSchedule {
  if (expression.length > MAX_EXPRESSION_LENGTH) throw new CronError(`cron expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const parts = expression.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5) {
    throw new CronError(`cron expression '${expression}' must have 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  }
  const sets = parts.map((text, i) => parseField(text, FIELDS[i] as FieldSpec));
  const dow = sets[4] as Set<number>;
  if (dow.delete(7)) dow.add(0);
  return {
    minutes: sets[0] as Set<number>,
    hours: sets[1] as Set<number>,
    daysOfMonth: sets[2] as Set<number>,
    months: sets[3] as Set<number>,
    daysOfWeek: dow,
    domStar: (parts[2] as string).startsWith('*'),
    dowStar: (parts[4] as string).startsWith('*'),
  };
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw new CronError(`empty list item in ${spec.label} field '${text}'`);
    const [rangePart, stepPart, extra] = item.split('/');
    if (extra !== undefined || rangePart === undefined || rangePart === '') {
      throw new CronError(`malformed ${spec.label} field '${text}'`);
    }
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart)) throw new CronError(`malformed step '${stepPart}' in ${spec.label} field`);
      step = Number(stepPart);
      if (step < 1 || step > spec.max) throw new CronError(`step ${step} out of range in ${spec.label} field`);
    }
    let lo: number;
    let hi: number;
    if (rangePart === '*') {
      lo = spec.min;
      hi = spec.label === 'day of week' ? 6 : spec.max;
    } else {
      const dash = rangePart.indexOf('-', 1);
      if (dash === -1) {
        lo = value(rangePart, spec);
        hi = stepPart === undefined ? lo : spec.max;
      } else {
        lo = value(rangePart.slice(0, dash), spec);
        hi = value(rangePart.slice(dash + 1), spec);
        if (lo > hi) throw new CronError(`range ${rangePart} in ${spec.label} field runs backwards`);
      }
    }
    for (let x = lo; x <= hi; x += step) out.add(x);
  }
  return out;
}

function value(text: string, spec: FieldSpec): number {
  let n: number;
  if (/^\d+$/.test(text)) {
    n = Number(text);
  } else {
    const i = spec.names?.indexOf(text.toUpperCase()) ?? -1;
    if (i === -1) throw new CronError(`'${text}' is not a valid ${spec.label}`);
    n = i + (spec.namesBase ?? 0);
  }
  if (n < spec.min || n > spec.max) throw new CronError(`${spec.label} ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

// ---- evaluation -----------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Long enough to reach a February 29th across a non-leap century year (2096 → 2104). */
const MAX_SEARCH_DAYS = 366 * 9;

/** The first firing strictly after afterMs (epoch ms, UTC), or undefined if it never fires. */
export function nextFireMs(schedule: CronSchedule, afterMs: number): number | undefined {
  const startMinute = Math.floor(afterMs / MINUTE_MS) + 1;
  let day = Math.floor((startMinute * MINUTE_MS) / DAY_MS);
  let fromMinuteOfDay = startMinute - day * 1440;
  for (let i = 0; i < MAX_SEARCH_DAYS; i++, day++, fromMinuteOfDay = 0) {
    if (!dayMatches(schedule, day)) continue;
    const minuteOfDay = firstTimeOfDay(schedule, fromMinuteOfDay);
    if (minuteOfDay !== undefined) return day * DAY_MS + minuteOfDay * MINUTE_MS;
  }
  return undefined;
}

function dayMatches(s: CronSchedule, day: number): boolean {
  const { month, dayOfMonth } = civilFromDays(day);
  if (!s.months.has(month)) return false;
  // 1970-01-01 was a Thursday (4).
  const dow = (((day + 4) % 7) + 7) % 7;
  const domOk = s.daysOfMonth.has(dayOfMonth);
  const dowOk = s.daysOfWeek.has(dow);
  if (!s.domStar && !s.dowStar) return domOk || dowOk;
  return domOk && dowOk;
}

function firstTimeOfDay(s: CronSchedule, fromMinuteOfDay: number): number | undefined {
  for (let hour = Math.floor(fromMinuteOfDay / 60); hour < 24; hour++) {
    if (!s.hours.has(hour)) continue;
    const firstMinute = hour === Math.floor(fromMinuteOfDay / 60) ? fromMinuteOfDay % 60 : 0;
    for (let minute = firstMinute; minute < 60; minute++) {
      if (s.minutes.has(minute)) return hour * 60 + minute;
    }
  }
  return undefined;
}

/** Calendar date of a day number (days since 1970-01-01), proleptic Gregorian. */
export function civilFromDays(days: number): { year: number; month: number; dayOfMonth: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const dayOfMonth = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, dayOfMonth };
}

/** Parses and checks that the expression fires at least once after nowMs; throws CronError. */
export function firstFiringMs(expression: string, nowMs: number): number {
  const schedule = parseCron(expression);
  const next = nextFireMs(schedule, nowMs);
  if (next === undefined) throw new CronError('Cron expression does not yield a next execution time');
  return next;
}
