/** The mutations that grow or shrink collections: EXTEND, REMOVE_IF_PRESENT/INDEX/KEY. */
import type { Map_Entry, VariableValue } from '@filly/proto';
import { coerceToType } from './cast.ts';
import { asBytes, asInt, asJsonArr, asStr } from './convert.ts';
import { valuesEqual } from './equal.ts';
import { VarSubError } from './errors.ts';
import { isJsonObject, type JsonNode } from './json-tree.ts';
import { stringifyJsonTree } from './java-text.ts';
import { jsonArrTreeOf, jsonNodeOfValue, jsonObjTreeOf } from './json.ts';
import { kindOf, typeOfValue, typesEqual } from './types.ts';

function jsonArr(items: JsonNode[]): VariableValue {
  return { value: { $case: 'jsonArr', value: stringifyJsonTree(items) } };
}

/** Java's `Objects.equals` over Gson-built objects: exact types (1 ≠ 1.0), maps order-free. */
function javaJsonEquals(a: JsonNode, b: JsonNode): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => javaJsonEquals(x, b[i] as JsonNode));
  if (isJsonObject(a)) {
    if (!isJsonObject(b) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !javaJsonEquals(v, b.get(k) ?? null)) return false;
    return true;
  }
  // Double.equals compares bits: NaN equals NaN, 0.0 differs from -0.0.
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  return a === b;
}

export function extend(lhs: VariableValue, rhs: VariableValue): VariableValue {
  const l = lhs.value;
  switch (l?.$case) {
    case 'jsonArr':
      return jsonArr([...jsonArrTreeOf(lhs), ...jsonArrTreeOf(asJsonArr(rhs))]);
    case 'bytes': {
      const tail = asBytes(rhs).value;
      const extra = tail?.$case === 'bytes' ? tail.value : Buffer.alloc(0);
      return { value: { $case: 'bytes', value: Buffer.concat([l.value, extra]) } };
    }
    case 'str': {
      // Java string concatenation prints a missing value as "null".
      const r = asStr(rhs).value;
      return { value: { $case: 'str', value: l.value + (r?.$case === 'str' ? r.value : 'null') } };
    }
    case 'array': {
      const elem = l.value.elementType;
      const r = rhs.value;
      const concat = r?.$case === 'array' && typesEqual(typeOfValue(lhs), typeOfValue(rhs));
      const added = concat && r?.$case === 'array'
        ? r.value.items
        : [elem?.definedType !== undefined ? coerceToType(rhs, elem) : rhs];
      return { value: { $case: 'array', value: { items: [...l.value.items, ...added], elementType: elem } } };
    }
    case 'map': {
      const r = rhs.value;
      if (r?.$case !== 'map') throw new VarSubError('Cannot extend MAP with non-MAP value');
      const find = (entries: Map_Entry[], key: VariableValue | undefined): Map_Entry | undefined =>
        entries.find((e) => valuesEqual(e.key, key));
      const merged = l.value.entries.map((e) => find(r.value.entries, e.key) ?? e);
      for (const e of r.value.entries) if (find(l.value.entries, e.key) === undefined) merged.push(e);
      return { value: { $case: 'map', value: { entries: merged, mapType: l.value.mapType } } };
    }
    default:
      throw new VarSubError(`Cannot extend var of type ${kindOf(lhs)}`);
  }
}

export function removeIfPresent(lhs: VariableValue, rhs: VariableValue): VariableValue {
  const l = lhs.value;
  if (l?.$case === 'jsonArr') {
    const k = kindOf(rhs);
    const comparable = ['NULL', 'INT', 'DOUBLE', 'STR', 'BOOL', 'JSON_OBJ', 'JSON_ARR'].includes(k);
    const items = jsonArrTreeOf(lhs);
    if (!comparable) return jsonArr(items);
    const wanted = jsonNodeOfValue(rhs);
    return jsonArr(items.filter((i) => !javaJsonEquals(i, wanted)));
  }
  if (l?.$case === 'array') {
    const elem = l.value.elementType;
    const target = elem?.definedType !== undefined ? coerceToType(rhs, elem) : rhs;
    return { value: { $case: 'array', value: { items: l.value.items.filter((i) => !valuesEqual(i, target)), elementType: elem } } };
  }
  throw new VarSubError(`Cannot removeIfPresent on var of type ${kindOf(lhs)}`);
}

/** The index is read as INT and narrowed like Java's `long.intValue()`. */
function indexOf(rhs: VariableValue, length: number): number {
  const v = asInt(rhs).value;
  if (v?.$case !== 'int') throw new VarSubError('Tried to remove null index');
  const idx = Number(BigInt.asIntN(32, v.value));
  if (idx < 0 || idx >= length) throw new VarSubError(`Index out of bounds: ${idx}`);
  return idx;
}

export function removeIndex(lhs: VariableValue, rhs: VariableValue): VariableValue {
  const l = lhs.value;
  if (l?.$case === 'jsonArr') {
    const items = jsonArrTreeOf(lhs);
    items.splice(indexOf(rhs, items.length), 1);
    return jsonArr(items);
  }
  if (l?.$case === 'array') {
    const idx = indexOf(rhs, l.value.items.length);
    const items = l.value.items.filter((_, i) => i !== idx);
    return { value: { $case: 'array', value: { items, elementType: l.value.elementType } } };
  }
  throw new VarSubError(`Cannot removeIndex on var of type ${kindOf(lhs)}`);
}

export function removeKey(lhs: VariableValue, rhs: VariableValue): VariableValue {
  const l = lhs.value;
  if (l?.$case === 'map') {
    const entries = l.value.entries.filter((e) => !valuesEqual(e.key, rhs));
    return { value: { $case: 'map', value: { entries, mapType: l.value.mapType } } };
  }
  if (l?.$case !== 'jsonObj') throw new VarSubError('Converting to JSON_OBJ not supported.');
  const obj = jsonObjTreeOf(lhs);
  const key = asStr(rhs).value;
  if (key?.$case === 'str') obj.delete(key.value);
  return { value: { $case: 'jsonObj', value: stringifyJsonTree(obj) } };
}
