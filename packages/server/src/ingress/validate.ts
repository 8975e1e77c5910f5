// Checks of request fields that ingress makes before anything is logged. Messages name the field
// and say what is allowed, so a caller can fix the call.
import type { WfRunId } from '@filly/proto';
import { invalidArgument } from '../processor/api-error.ts';
import { isValidName, MAX_NAME_LENGTH, requireValidName } from '../processor/names.ts';

/** The metadata-name rule of the processor, checked early so nothing invalid is logged. */
export const isLhName = isValidName;

export function requireLhName(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw invalidArgument(`Missing required argument '${field}'.`);
  requireValidName(value.slice(0, MAX_NAME_LENGTH + 1), `'${field}'`);
  return value;
}

export function requirePresent<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null) throw invalidArgument(`Missing required argument '${field}'.`);
  return value;
}

/** A WfRunId whose every id (and every ancestor's) is a valid name. */
export function requireWfRunId(id: WfRunId | undefined, field: string): WfRunId {
  const present = requirePresent(id, field);
  let cur: WfRunId | undefined = present;
  let depth = 0;
  while (cur) {
    requireLhName(cur.id, `${field}.id`);
    cur = cur.parentWfRunId;
    if (++depth > 32) throw invalidArgument(`'${field}' nests more than 32 parent WfRuns.`);
  }
  return present;
}

export function requireNonNegative(n: number, field: string): number {
  if (!Number.isInteger(n) || n < 0) throw invalidArgument(`'${field}' must be a non-negative integer; got ${n}.`);
  return n;
}
