// How a Variable's value appears in an index key. The key is compared for equality only, so a
// value is written as a type letter and its text: i: INT, d: DOUBLE, b: BOOL, s: STR, n: a JSON
// number (JSON has one number type), t: the first MAX_INDEXED_STRING_CHARS of a longer string
// (a search for such a string then compares the Variable itself).
import { VariableType, type VariableValue } from '@filly/proto';

export const MAX_INDEXED_STRING_CHARS = 200;
/** Bounds on flattening one JSON value into indexable (path, value) pairs. */
const MAX_JSON_PAIRS = 1_000;
const MAX_JSON_DEPTH = 32;

export function encodeString(s: string): string {
  return s.length <= MAX_INDEXED_STRING_CHARS ? `s:${s}` : `t:${s.slice(0, MAX_INDEXED_STRING_CHARS)}`;
}

export function isTruncatedString(s: string): boolean {
  return s.length > MAX_INDEXED_STRING_CHARS;
}

/** The key text of an INT, DOUBLE, BOOL or STR value; undefined for any other kind. */
export function encodeScalar(value: VariableValue | undefined): string | undefined {
  const v = value?.value;
  switch (v?.$case) {
    case 'str':
      return encodeString(v.value);
    case 'int':
      return `i:${v.value}`;
    case 'double':
      return `d:${String(v.value)}`;
    case 'bool':
      return `b:${v.value}`;
    default:
      return undefined;
  }
}

/** The key text of a value found inside JSON; undefined for null, objects and arrays. */
export function encodeJsonScalar(v: unknown): string | undefined {
  if (typeof v === 'string') return encodeString(v);
  if (typeof v === 'boolean') return `b:${v}`;
  if (typeof v === 'number' && Number.isFinite(v)) return `n:${String(v)}`;
  return undefined;
}

/** The key text a search value has when matched against a JSON field. */
export function encodeAsJsonScalar(value: VariableValue | undefined): string | undefined {
  const v = value?.value;
  switch (v?.$case) {
    case 'str':
      return encodeString(v.value);
    case 'int':
      return `n:${String(Number(v.value))}`;
    case 'double':
      return `n:${String(v.value)}`;
    case 'bool':
      return `b:${v.value}`;
    default:
      return undefined;
  }
}

/**
 * The (path, value) pairs of a JSON value, paths written `$.a.b` like upstream's JSON indexes;
 * the items of an array share the array's path. Bounded in depth and in pairs.
 */
export function flattenJson(root: unknown, rootPath: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const walk = (value: unknown, path: string, depth: number): void => {
    if (out.length >= MAX_JSON_PAIRS || depth > MAX_JSON_DEPTH) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, path, depth + 1);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, item] of Object.entries(value)) walk(item, `${path}.${k}`, depth + 1);
    } else {
      out.push([path, value]);
    }
  };
  walk(root, rootPath, 0);
  return out;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether a declared type is one whose values are compared directly (not JSON). */
export function isScalarType(t: VariableType | undefined): boolean {
  return t === VariableType.STR || t === VariableType.INT || t === VariableType.DOUBLE || t === VariableType.BOOL;
}
