/**
 * Single-kind conversions (upstream's `asInt`, `asDouble`, `asStr`, ...). Each returns a new value
 * of the target kind or throws VarSubError with upstream's wording.
 */
import type { VariableValue } from '@filly/proto';
import { VarSubError } from './errors.ts';
import { stringifyJsonTree } from './java-text.ts';
import { jsonTreeOf } from './json.ts';
import { toText } from './to-text.ts';
import { kindOf, typeToString, typeOfValue } from './types.ts';
import { wfRunIdFromString } from './wf-run-id.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export const NULL_VALUE: VariableValue = Object.freeze({}) as VariableValue;

export function intValue(n: bigint): VariableValue {
  return { value: { $case: 'int', value: BigInt.asIntN(64, n) } };
}
export function doubleValue(d: number): VariableValue {
  return { value: { $case: 'double', value: d } };
}
export function strValue(s: string): VariableValue {
  return { value: { $case: 'str', value: s } };
}
export function boolValue(b: boolean): VariableValue {
  return { value: { $case: 'bool', value: b } };
}

function describe(v: VariableValue | undefined): string {
  return v?.value === undefined ? 'DEFINEDTYPE_NOT_SET' : typeToString(typeOfValue(v));
}

/** Java's `(long) d`: truncate toward zero, NaN becomes 0, out-of-range saturates. */
export function javaDoubleToLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= 9.223372036854775807e18) return INT64_MAX;
  if (d <= -9.223372036854775808e18) return INT64_MIN;
  return BigInt(Math.trunc(d));
}

/** Java's `Long.valueOf(String)`: optional sign, ASCII digits, int64 range, nothing else. */
export function parseJavaLong(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** Java's `Double.parseDouble` for decimal input (hex floats are not accepted here). */
export function parseJavaDouble(s: string): number | undefined {
  // Java trims every char <= U+0020 at both ends.
  const t = s.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '');
  const m = /^([+-]?)(?:(NaN)|(Infinity)|((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[fFdD]?)$/.exec(t);
  if (m === null) return undefined;
  if (m[2] !== undefined) return NaN;
  const sign = m[1] === '-' ? -1 : 1;
  if (m[3] !== undefined) return sign * Infinity;
  return sign * Number(m[4]);
}

export function asInt(v: VariableValue): VariableValue {
  const val = v.value;
  switch (val?.$case) {
    case 'int': return v;
    case 'double': return intValue(javaDoubleToLong(val.value));
    case 'str': {
      const n = parseJavaLong(val.value);
      if (n === undefined) throw new VarSubError(`Couldn't convert STR '${val.value}' to INT`);
      return intValue(n);
    }
    // Epoch milliseconds of the whole seconds, as upstream does.
    case 'utcTimestamp': return intValue(val.value.seconds * 1000n);
    default: throw new VarSubError(`Cant convert ${describe(v)} to INT`);
  }
}

export function asDouble(v: VariableValue): VariableValue {
  const val = v.value;
  switch (val?.$case) {
    case 'int': return doubleValue(Number(val.value));
    case 'double': return v;
    case 'str': {
      const d = parseJavaDouble(val.value);
      if (d === undefined) throw new VarSubError(`Couldn't convert STR '${val.value}' to DOUBLE`);
      return doubleValue(d);
    }
    default: throw new VarSubError(`Cant convert ${describe(v)} to DOUBLE`);
  }
}

export function asBool(v: VariableValue): VariableValue {
  const val = v.value;
  if (val?.$case === 'bool') return v;
  if (val?.$case === 'str') {
    const t = val.value.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').toLowerCase();
    if (t === 'true') return boolValue(true);
    if (t === 'false') return boolValue(false);
    throw new VarSubError(`Cannot parse '${val.value}' as BOOL (use 'true'/'false')`);
  }
  throw new VarSubError(`Cannot convert ${describe(v)} to BOOL`);
}

export function asStr(v: VariableValue): VariableValue {
  return v.value === undefined ? NULL_VALUE : strValue(toText(v));
}

/** Non-BYTES values become the UTF-8 bytes of their text (JSON for JSON kinds). */
export function asBytes(v: VariableValue): VariableValue {
  const val = v.value;
  if (val === undefined) return NULL_VALUE;
  if (val.$case === 'bytes') return v;
  const text = val.$case === 'jsonObj' || val.$case === 'jsonArr' ? stringifyJsonTree(jsonTreeOf(v)) : toText(v);
  return { value: { $case: 'bytes', value: Buffer.from(text, 'utf8') } };
}

export function asWfRunId(v: VariableValue): VariableValue {
  const val = v.value;
  switch (val?.$case) {
    case 'wfRunId': return v;
    case 'double':
    case 'int':
    case 'str': {
      const text = val.$case === 'str' ? val.value : toText(v);
      return { value: { $case: 'wfRunId', value: wfRunIdFromString(text) } };
    }
    default: throw new VarSubError(`Cant convert ${describe(v)} to WF_RUN_ID`);
  }
}

export function asTimestamp(v: VariableValue): VariableValue {
  if (v.value?.$case === 'utcTimestamp') return v;
  throw new VarSubError('Converting to TIMESTAMP not supported');
}

export function asJsonArr(v: VariableValue): VariableValue {
  if (v.value?.$case === 'jsonArr') return v;
  throw new VarSubError('Converting to JSON_ARR not supported.');
}

export function asJsonObj(v: VariableValue): VariableValue {
  if (v.value?.$case === 'jsonObj') return v;
  throw new VarSubError('Converting to JSON_OBJ not supported.');
}

/** The conversion to one primitive kind by name. */
export function asKind(v: VariableValue, kind: string): VariableValue {
  switch (kind) {
    case 'INT': return asInt(v);
    case 'DOUBLE': return asDouble(v);
    case 'BOOL': return asBool(v);
    case 'STR': return asStr(v);
    case 'BYTES': return asBytes(v);
    case 'WF_RUN_ID': return asWfRunId(v);
    case 'TIMESTAMP': return asTimestamp(v);
    case 'JSON_ARR': return asJsonArr(v);
    case 'JSON_OBJ': return asJsonObj(v);
    default: throw new VarSubError(`Unsupported type for coersion: ${kind} (from ${kindOf(v)})`);
  }
}
