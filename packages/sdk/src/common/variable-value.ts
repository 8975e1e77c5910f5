import type { Timestamp, VariableValue, WfRunId } from '@filly/proto';
import type { InputJsType, OutputJsType, VarTypeName } from './variable-types.ts';

/**
 * Conversion between JavaScript values and LittleHorse `VariableValue`s, in both
 * directions. This is the only place that knows how each type is represented:
 * JSON_OBJ / JSON_ARR travel as JSON text, INT as int64 (bigint), TIMESTAMP as a
 * protobuf Timestamp, BYTES as raw bytes, and an unset `value` oneof means NULL.
 */

export class ValueConversionError extends Error {
  override readonly name = 'ValueConversionError';
}

const NULL_VALUE: VariableValue = { value: undefined };

export function nullVariableValue(): VariableValue {
  return { ...NULL_VALUE };
}

/** Encodes `value` as the declared type; throws ValueConversionError on a mismatch. */
export function toVariableValue<T extends VarTypeName>(
  value: OutputJsType<T> | null | undefined,
  type: T,
): VariableValue {
  if (value === null || value === undefined) return nullVariableValue();
  const v: unknown = value;
  switch (type) {
    case 'STR':
      if (typeof v !== 'string') throw mismatch(v, type);
      return { value: { $case: 'str', value: v } };
    case 'INT':
      return { value: { $case: 'int', value: toInt64(v) } };
    case 'DOUBLE':
      if (typeof v === 'bigint') return { value: { $case: 'double', value: Number(v) } };
      if (typeof v !== 'number') throw mismatch(v, type);
      return { value: { $case: 'double', value: v } };
    case 'BOOL':
      if (typeof v !== 'boolean') throw mismatch(v, type);
      return { value: { $case: 'bool', value: v } };
    case 'JSON_OBJ':
      if (!isPlainObject(v)) throw mismatch(v, type);
      return { value: { $case: 'jsonObj', value: stringifyJson(v) } };
    case 'JSON_ARR':
      if (!Array.isArray(v)) throw mismatch(v, type);
      return { value: { $case: 'jsonArr', value: stringifyJson(v) } };
    case 'BYTES':
      if (!(v instanceof Uint8Array)) throw mismatch(v, type);
      return { value: { $case: 'bytes', value: Buffer.from(v) } };
    case 'TIMESTAMP':
      if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw mismatch(v, type);
      return { value: { $case: 'utcTimestamp', value: dateToTimestamp(v) } };
    case 'WF_RUN_ID':
      if (!isWfRunId(v)) throw mismatch(v, type);
      return { value: { $case: 'wfRunId', value: v } };
  }
}

/**
 * Encodes a value whose LittleHorse type is not declared, choosing the type from the
 * JS value: string → STR, integer number or bigint → INT, other number → DOUBLE,
 * boolean → BOOL, Uint8Array → BYTES, Date → TIMESTAMP, array → JSON_ARR, plain
 * object → JSON_OBJ, null/undefined → NULL.
 */
export function inferVariableValue(value: unknown): VariableValue {
  return toVariableValue(value as never, inferVarType(value) ?? 'STR');
}

export function inferVarType(value: unknown): VarTypeName | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return 'STR';
  if (typeof value === 'bigint') return 'INT';
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT' : 'DOUBLE';
  if (typeof value === 'boolean') return 'BOOL';
  if (value instanceof Uint8Array) return 'BYTES';
  if (value instanceof Date) return 'TIMESTAMP';
  if (Array.isArray(value)) return 'JSON_ARR';
  if (isPlainObject(value)) return 'JSON_OBJ';
  throw new ValueConversionError(`cannot convert a ${describe(value)} to a LittleHorse value`);
}

/**
 * Decodes a value that should be of the declared type. NULL decodes to `null`. INT
 * decodes to a `number` and is refused outside the safe-integer range; a DOUBLE input
 * also accepts an INT value and vice versa when it is integral.
 */
export function fromVariableValue<T extends VarTypeName>(vv: VariableValue | undefined, type: T): InputJsType<T> | null {
  const v = vv?.value;
  if (v === undefined) return null;
  const out = decodeAs(v, type);
  return out as InputJsType<T>;
}

/** Decodes a value by its own case; INT stays a bigint so nothing is lost. */
export function decodeVariableValue(vv: VariableValue | undefined): unknown {
  const v = vv?.value;
  if (v === undefined) return null;
  switch (v.$case) {
    case 'str':
    case 'double':
    case 'bool':
    case 'int':
    case 'wfRunId':
      return v.value;
    case 'jsonObj':
    case 'jsonArr':
      return parseJson(v.value, v.$case);
    case 'bytes':
      return new Uint8Array(v.value);
    case 'utcTimestamp':
      return timestampToDate(v.value);
    case 'struct':
    case 'array':
    case 'map':
      throw new ValueConversionError(`${v.$case} values are not supported by this SDK yet`);
  }
}

type ValueCase = NonNullable<VariableValue['value']>;

function decodeAs(v: ValueCase, type: VarTypeName): unknown {
  switch (type) {
    case 'STR':
      if (v.$case === 'str') return v.value;
      break;
    case 'INT':
      if (v.$case === 'int') return safeNumber(v.value);
      if (v.$case === 'double' && Number.isInteger(v.value)) return v.value;
      break;
    case 'DOUBLE':
      if (v.$case === 'double') return v.value;
      if (v.$case === 'int') return Number(v.value);
      break;
    case 'BOOL':
      if (v.$case === 'bool') return v.value;
      break;
    case 'JSON_OBJ':
      if (v.$case === 'jsonObj') {
        const parsed = parseJson(v.value, 'jsonObj');
        if (isPlainObject(parsed)) return parsed;
        throw new ValueConversionError('JSON_OBJ value is not a JSON object');
      }
      break;
    case 'JSON_ARR':
      if (v.$case === 'jsonArr') {
        const parsed = parseJson(v.value, 'jsonArr');
        if (Array.isArray(parsed)) return parsed;
        throw new ValueConversionError('JSON_ARR value is not a JSON array');
      }
      break;
    case 'BYTES':
      if (v.$case === 'bytes') return new Uint8Array(v.value);
      break;
    case 'TIMESTAMP':
      if (v.$case === 'utcTimestamp') return timestampToDate(v.value);
      if (v.$case === 'int') return new Date(safeNumber(v.value));
      break;
    case 'WF_RUN_ID':
      if (v.$case === 'wfRunId') return v.value;
      break;
  }
  throw new ValueConversionError(`expected a ${type} value but got ${v.$case}`);
}

function toInt64(v: unknown): bigint {
  if (typeof v === 'bigint') {
    if (v > 0x7fff_ffff_ffff_ffffn || v < -0x8000_0000_0000_0000n) {
      throw new ValueConversionError(`${v} does not fit in an int64`);
    }
    return v;
  }
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (!Number.isSafeInteger(v)) throw new ValueConversionError(`${v} is not a safe integer; pass a bigint`);
    return BigInt(v);
  }
  throw mismatch(v, 'INT');
}

function safeNumber(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new ValueConversionError(`INT value ${v} is outside the safe-integer range of a JS number`);
  }
  return n;
}

export function dateToTimestamp(d: Date): Timestamp {
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

export function timestampToDate(t: Timestamp): Date {
  return new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1_000_000));
}

function stringifyJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  } catch (err) {
    throw new ValueConversionError(`value is not JSON-serialisable: ${(err as Error).message}`);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValueConversionError(`${what} value is not valid JSON`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isWfRunId(v: unknown): v is WfRunId {
  return typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

function mismatch(v: unknown, type: VarTypeName): ValueConversionError {
  return new ValueConversionError(`expected a value for ${type} but got a ${describe(v)}`);
}
