/** JSON in and out of `VariableValue`s, and plain JS ("native") views of values. */
import type { VariableValue } from '@filly/proto';
import { DEFAULT_LIMITS } from '../../config/limits.ts';
import { VarSubError } from './errors.ts';
import { cloneJson, isJsonObject, parseJsonTree, type JsonNode, type JsonObject } from './json-tree.ts';
import { stringifyJsonTree } from './java-text.ts';
import { wfRunIdToString } from './wf-run-id.ts';

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Parse JSON into plain JS data; integers beyond 2^53 stay exact as `bigint`. */
export function parseJson(text: string, maxDepth: number): unknown {
  return nodeToNative(parseJsonTree(text, maxDepth));
}

/** The parsed contents of a JSON_OBJ / JSON_ARR value (a fresh tree the caller may mutate). */
export function jsonTreeOf(v: VariableValue, maxDepth = DEFAULT_LIMITS.maxJsonDepth): JsonNode {
  const val = v.value;
  if (val?.$case === 'jsonObj') {
    const tree = parseJsonTree(val.value, maxDepth);
    if (!isJsonObject(tree)) throw new VarSubError('Error deserializing JSON Obj: not a JSON object');
    return tree;
  }
  if (val?.$case === 'jsonArr') {
    const tree = parseJsonTree(val.value, maxDepth);
    if (!Array.isArray(tree)) throw new VarSubError('Error deserializing JSON Arr: not a JSON array');
    return tree;
  }
  throw new VarSubError(`Cannot read ${val?.$case ?? 'NULL'} as JSON`);
}

export function jsonObjTreeOf(v: VariableValue): JsonObject {
  const t = jsonTreeOf(v);
  if (!isJsonObject(t)) throw new VarSubError('Converting to JSON_OBJ not supported.');
  return t;
}

export function jsonArrTreeOf(v: VariableValue): JsonNode[] {
  const t = jsonTreeOf(v);
  if (!Array.isArray(t)) throw new VarSubError('Converting to JSON_ARR not supported.');
  return t;
}

/** A JSON node as a value, the way upstream maps JsonPath results (Long→INT, Map→JSON_OBJ...). */
export function valueOfJsonNode(n: JsonNode): VariableValue {
  if (n === null) return {};
  if (typeof n === 'boolean') return { value: { $case: 'bool', value: n } };
  if (typeof n === 'string') return { value: { $case: 'str', value: n } };
  if (typeof n === 'bigint') return { value: { $case: 'int', value: n } };
  if (typeof n === 'number') return { value: { $case: 'double', value: n } };
  if (Array.isArray(n)) return { value: { $case: 'jsonArr', value: stringifyJsonTree(n) } };
  return { value: { $case: 'jsonObj', value: stringifyJsonTree(n) } };
}

/**
 * A value as a JSON node, for placing it inside a JSON document (JSON_ARR append, lhs_json_path
 * mutations). Non-JSON kinds are given their most natural JSON form.
 */
export function jsonNodeOfValue(v: VariableValue | undefined): JsonNode {
  const val = v?.value;
  switch (val?.$case) {
    case undefined: return null;
    case 'jsonObj':
    case 'jsonArr': return jsonTreeOf(v as VariableValue);
    case 'double': return val.value;
    case 'bool': return val.value;
    case 'str': return val.value;
    case 'int': return val.value;
    case 'bytes': return Buffer.from(val.value).toString('base64');
    case 'wfRunId': return wfRunIdToString(val.value);
    case 'utcTimestamp': {
      const o: JsonObject = new Map();
      o.set('seconds', val.value.seconds);
      o.set('nanos', BigInt(val.value.nanos));
      return o;
    }
    case 'array': return val.value.items.map(jsonNodeOfValue);
    case 'map': {
      const o: JsonObject = new Map();
      for (const e of val.value.entries) o.set(keyText(e.key), jsonNodeOfValue(e.value));
      return o;
    }
    case 'struct': {
      const o: JsonObject = new Map();
      const fields = val.value.struct?.fields ?? {};
      for (const k of Object.keys(fields).sort()) o.set(k, jsonNodeOfValue(fields[k]?.value));
      return o;
    }
  }
}

function keyText(k: VariableValue | undefined): string {
  const n = jsonNodeOfValue(k);
  return typeof n === 'string' ? n : stringifyJsonTree(n);
}

function nodeToNative(n: JsonNode): unknown {
  if (typeof n === 'bigint') return n >= SAFE_MIN && n <= SAFE_MAX ? Number(n) : n;
  if (Array.isArray(n)) return n.map(nodeToNative);
  if (isJsonObject(n)) {
    const o: Record<string, unknown> = {};
    // defineProperty so that a "__proto__" key stays an own data property.
    for (const [k, v] of n) Object.defineProperty(o, k, { value: nodeToNative(v), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return n;
}

/**
 * Plain JS view of a value: JSON parsed, INT as number when it is a safe integer (else bigint),
 * BYTES as Uint8Array, WF_RUN_ID as its string form, TIMESTAMP as epoch milliseconds,
 * ARRAY as an array, MAP as a Map, STRUCT as an object of its field values.
 */
export function toNative(v: VariableValue | undefined): unknown {
  const val = v?.value;
  switch (val?.$case) {
    case undefined: return null;
    case 'jsonObj':
    case 'jsonArr': return nodeToNative(jsonTreeOf(v as VariableValue));
    case 'int': return val.value >= SAFE_MIN && val.value <= SAFE_MAX ? Number(val.value) : val.value;
    case 'double':
    case 'bool':
    case 'str': return val.value;
    case 'bytes': return new Uint8Array(val.value);
    case 'wfRunId': return wfRunIdToString(val.value);
    case 'utcTimestamp': return Number(val.value.seconds) * 1000 + Math.floor(val.value.nanos / 1e6);
    case 'array': return val.value.items.map(toNative);
    case 'map': return new Map(val.value.entries.map((e) => [toNative(e.key), toNative(e.value)]));
    case 'struct': {
      const o: Record<string, unknown> = {};
      const fields = val.value.struct?.fields ?? {};
      for (const k of Object.keys(fields)) {
        Object.defineProperty(o, k, { value: toNative(fields[k]?.value), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
  }
}

function nativeToNode(x: unknown, depth: number): JsonNode {
  if (depth > DEFAULT_LIMITS.maxJsonDepth) throw new VarSubError('Value nested too deeply');
  if (x === null || x === undefined) return null;
  if (typeof x === 'boolean' || typeof x === 'string' || typeof x === 'bigint') return x;
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new VarSubError(`Cannot put ${x} in JSON`);
    return Number.isSafeInteger(x) ? BigInt(x) : x;
  }
  if (Array.isArray(x)) return x.map((e) => nativeToNode(e, depth + 1));
  if (typeof x === 'object') {
    const o: JsonObject = new Map();
    for (const [k, v] of Object.entries(x)) o.set(k, nativeToNode(v, depth + 1));
    return o;
  }
  throw new VarSubError(`Cannot convert a ${typeof x} to a value`);
}

/**
 * Plain JS data to a value: object→JSON_OBJ, array→JSON_ARR, string→STR, safe integer or
 * bigint→INT, other number→DOUBLE, boolean→BOOL, null/undefined→NULL, Uint8Array→BYTES.
 */
export function fromNative(x: unknown): VariableValue {
  if (x instanceof Uint8Array) return { value: { $case: 'bytes', value: Buffer.from(x) } };
  if (typeof x === 'bigint') {
    if (x < -(2n ** 63n) || x >= 2n ** 63n) throw new VarSubError(`Integer ${x} is outside the INT (int64) range`);
    return { value: { $case: 'int', value: x } };
  }
  if (typeof x === 'number' && Number.isSafeInteger(x)) return { value: { $case: 'int', value: BigInt(x) } };
  if (typeof x === 'number') return { value: { $case: 'double', value: x } };
  return valueOfJsonNode(nativeToNode(x, 0));
}

export { cloneJson };
