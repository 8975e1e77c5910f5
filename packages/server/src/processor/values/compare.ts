/**
 * Comparator evaluation (upstream `Comparer`). Magnitude and equality compare two values of the
 * SAME kind through Java's `compareTo`: INT, DOUBLE, STR, BOOL, WF_RUN_ID (by its string form)
 * and STRUCT (by encoded bytes). Anything else — different kinds such as INT vs DOUBLE, or JSON,
 * BYTES, TIMESTAMP, ARRAY, MAP — fails with VarSubError, as it does upstream. NULL sorts first.
 */
import { Comparator, Struct, type VariableValue } from '@filly/proto';
import { asStr } from './convert.ts';
import { valuesEqual } from './equal.ts';
import { VarSubError } from './errors.ts';
import { jsonNumericEquals } from './json-tree.ts';
import { jsonNodeOfValue, jsonTreeOf } from './json.ts';
import { kindOf } from './types.ts';
import { wfRunIdToString } from './wf-run-id.ts';

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Java's `Double.compare`: NaN above everything and equal to itself; -0.0 below 0.0. */
function javaDoubleCompare(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  if (a === 0 && b === 0) return Object.is(a, -0) === Object.is(b, -0) ? 0 : Object.is(a, -0) ? -1 : 1;
  return 0;
}

/** Java's `String.compareTo`: UTF-16 code units, which is also how JS orders strings. */
function javaStringCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `Arrays.compare(byte[], byte[])`: signed bytes, then length. */
function signedBytesCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = ((a[i] as number) << 24) >> 24;
    const y = ((b[i] as number) << 24) >> 24;
    if (x !== y) return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

/** Three-way comparison, or VarSubError when upstream's `compareTo` would throw. */
export function compareValues(l: VariableValue | undefined, r: VariableValue | undefined): number {
  const x = l?.value;
  const y = r?.value;
  if (x === undefined) return y === undefined ? 0 : -1;
  if (y === undefined) return 1;
  const failure = new VarSubError(`Failed comparing the provided values: ${kindOf(l)} vs ${kindOf(r)}`);
  if (x.$case !== y.$case) throw failure;
  switch (x.$case) {
    case 'int': {
      const b = y.value as bigint;
      return x.value < b ? -1 : x.value > b ? 1 : 0;
    }
    case 'double': return javaDoubleCompare(x.value, y.value as number);
    case 'str': return javaStringCompare(x.value, y.value as string);
    case 'bool': return sign(Number(x.value) - Number(y.value as boolean));
    case 'wfRunId': return javaStringCompare(wfRunIdToString(x.value), wfRunIdToString(y.value as typeof x.value));
    case 'struct':
      return signedBytesCompare(Struct.encode(x.value).finish(), Struct.encode(y.value as typeof x.value).finish());
    default:
      throw failure;
  }
}

/** Upstream `Comparer.contains(container, needle)`, used by IN / NOT_IN. */
export function containsValue(container: VariableValue | undefined, needle: VariableValue | undefined): boolean {
  const c = container?.value;
  const n: VariableValue = needle ?? {};
  switch (c?.$case) {
    case 'str': {
      const text = asStr(n).value;
      if (text?.$case !== 'str') throw new VarSubError('Failed evaluating CONTAINS: cannot look for NULL in a STR');
      return c.value.includes(text.value);
    }
    case 'jsonArr': {
      const items = jsonTreeOf(container as VariableValue);
      if (!Array.isArray(items)) throw new VarSubError('Failed evaluating CONTAINS');
      const k = kindOf(n);
      // Only values that have a JSON counterpart can ever equal an element.
      if (!['NULL', 'INT', 'DOUBLE', 'STR', 'BOOL', 'JSON_OBJ', 'JSON_ARR'].includes(k)) return false;
      const wanted = jsonNodeOfValue(n);
      return items.some((item) => jsonNumericEquals(item, wanted));
    }
    case 'jsonObj': {
      const obj = jsonTreeOf(container as VariableValue);
      const key = asStr(n).value;
      return key?.$case === 'str' && obj instanceof Map && obj.has(key.value);
    }
    case 'array': return c.value.items.some((item) => valuesEqual(item, n));
    case 'map': return c.value.entries.some((e) => valuesEqual(e.key, n));
    default:
      throw new VarSubError(`Can't do CONTAINS on ${kindOf(container)}`);
  }
}

/** Evaluates `lhs <op> rhs`; IN / NOT_IN look for lhs inside rhs. */
export function compare(lhs: VariableValue | undefined, op: Comparator, rhs: VariableValue | undefined): boolean {
  switch (op) {
    case Comparator.LESS_THAN: return compareValues(lhs, rhs) < 0;
    case Comparator.LESS_THAN_EQ: return compareValues(lhs, rhs) <= 0;
    case Comparator.GREATER_THAN: return compareValues(lhs, rhs) > 0;
    case Comparator.GREATER_THAN_EQ: return compareValues(lhs, rhs) >= 0;
    case Comparator.EQUALS: return compareValues(lhs, rhs) === 0;
    case Comparator.NOT_EQUALS: return compareValues(lhs, rhs) !== 0;
    case Comparator.IN: return containsValue(rhs, lhs);
    case Comparator.NOT_IN: return !containsValue(rhs, lhs);
    default: throw new VarSubError(`Unknown comparator ${String(op)}`);
  }
}
