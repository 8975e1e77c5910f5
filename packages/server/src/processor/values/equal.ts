/**
 * Value equality as upstream's `VariableValueModel.equals` sees it: equality of the protobuf
 * after JSON is normalised (so `{"a": 1}` equals `{"a":1}`, but key order, and `1` vs `1.0`,
 * still matter). Doubles compare by bit pattern (NaN equals NaN, 0.0 differs from -0.0).
 */
import type { TypeDefinition, VariableValue } from '@filly/proto';
import { VarSubError } from './errors.ts';
import { stringifyJsonTree } from './java-text.ts';
import { jsonTreeOf } from './json.ts';

/** Bounds recursion through nested ARRAY / MAP / STRUCT values. */
const MAX_EQUAL_DEPTH = 128;

function normalisedJson(v: VariableValue, raw: string): string {
  try {
    return stringifyJsonTree(jsonTreeOf(v));
  } catch (e) {
    // Unparseable JSON is kept verbatim upstream, so it can still equal itself.
    if (e instanceof VarSubError) return `\u0000${raw}`;
    throw e;
  }
}

function plainDeepEqual(a: unknown, b: unknown, depth: number): boolean {
  if (depth > MAX_EQUAL_DEPTH) throw new Error('type definition nested too deeply');
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => plainDeepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1));
}

function typeDefsEqual(a: TypeDefinition | undefined, b: TypeDefinition | undefined): boolean {
  return plainDeepEqual(a, b, 0);
}

function eq(a: VariableValue | undefined, b: VariableValue | undefined, depth: number): boolean {
  if (depth > MAX_EQUAL_DEPTH) throw new VarSubError('Value nested too deeply to compare');
  const x = a?.value;
  const y = b?.value;
  if (x === undefined || y === undefined) return x === y;
  if (x.$case !== y.$case) return false;
  switch (x.$case) {
    case 'jsonObj':
    case 'jsonArr':
      return normalisedJson(a as VariableValue, x.value) === normalisedJson(b as VariableValue, y.value as string);
    case 'double': return Object.is(x.value, y.value);
    case 'bool':
    case 'str':
    case 'int': return x.value === y.value;
    case 'bytes': return Buffer.compare(x.value, y.value as Buffer) === 0;
    case 'wfRunId':
    case 'utcTimestamp': return plainDeepEqual(x.value, y.value, 0);
    case 'array': {
      const ya = y.value as typeof x.value;
      return x.value.items.length === ya.items.length
        && typeDefsEqual(x.value.elementType, ya.elementType)
        && x.value.items.every((item, i) => eq(item, ya.items[i], depth + 1));
    }
    case 'map': {
      const ym = y.value as typeof x.value;
      return x.value.entries.length === ym.entries.length
        && plainDeepEqual(x.value.mapType, ym.mapType, 0)
        && x.value.entries.every((e, i) => eq(e.key, ym.entries[i]?.key, depth + 1) && eq(e.value, ym.entries[i]?.value, depth + 1));
    }
    case 'struct': {
      const ys = y.value as typeof x.value;
      if (!plainDeepEqual(x.value.structDefId, ys.structDefId, 0)) return false;
      const fx = x.value.struct?.fields ?? {};
      const fy = ys.struct?.fields ?? {};
      const keys = Object.keys(fx);
      if (keys.length !== Object.keys(fy).length) return false;
      return keys.every((k) => {
        const f1 = fx[k];
        const f2 = fy[k];
        return f1 !== undefined && f2 !== undefined && f1.masked === f2.masked && eq(f1.value, f2.value, depth + 1);
      });
    }
  }
}

export function valuesEqual(a: VariableValue | undefined, b: VariableValue | undefined): boolean {
  return eq(a, b, 0);
}
