// Small checks shared by the searches: required names, enum values, time bounds.
import { invalidArgument } from '../../processor/api-error.ts';
import { msFromTs } from '../../processor/wf-run/time.ts';

/** A required def name (of an id message or a string field); the message names the field. */
export function requiredName(value: string | undefined, field: string): string {
  if (value === undefined || value.trim() === '') throw invalidArgument(`Missing required argument '${field}'.`);
  return value;
}

/** An optional string criterion: absent and empty mean "not filtered by this". */
export function optionalCriterion(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * A value of a generated enum (a numeric TS enum): clients on newer contracts may send numbers
 * this server does not know, which would otherwise match nothing without a word.
 */
export function requireEnumValue<E extends number>(value: E, enumObject: Record<string, string | number>, field: string): E {
  const known = Object.values(enumObject).filter((v): v is number => typeof v === 'number' && v >= 0);
  if (!known.includes(value)) throw invalidArgument(`'${field}' has an unknown value ${value}.`);
  return value;
}

export interface TimeRange {
  earliestMs: number | undefined;
  latestMs: number | undefined;
}

export function timeRangeOf(earliest: { seconds: bigint; nanos: number } | undefined, latest: { seconds: bigint; nanos: number } | undefined): TimeRange {
  return { earliestMs: msFromTs(earliest), latestMs: msFromTs(latest) };
}
