// VariableAssignment resolution: turns a WfSpec's description of a value (a variable, a literal,
// a format string, a node's output, an expression) into a VariableValue, in one thread's scope.
// Every failure surfaces as VarSubError, which the caller turns into a VAR_SUB_ERROR failure.
import {
  VariableType,
  type ThreadRun,
  type TypeDefinition,
  type VariableAssignment,
  type VariableValue,
} from '@filly/proto';
import { VarSubError } from '../values/errors.ts';
import { castTo } from '../values/cast.ts';
import { compare } from '../values/compare.ts';
import { mutate } from '../values/arithmetic.ts';
import { formatString } from '../values/format-string.ts';
import { applyJsonPath, applyLhPath } from '../values/paths.ts';
import { kindOf, typeToString } from '../values/types.ts';
import { parseJson } from '../values/json.ts';
import type { RunRuntime } from './runtime.ts';
import { readVariable } from './variables.ts';
import { mostRecentNodeOutput } from './node-output.ts';
import { buildStruct } from '../structs/build-struct.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';

/** Pending writes of one edge's mutations: later reads in the same edge see earlier writes. */
export type VarTxn = Map<string, VariableValue>;

/** Nesting of assignments inside assignments (format args, expressions) is bounded. */
const MAX_ASSIGNMENT_DEPTH = 64;

export function assign(rt: RunRuntime, thread: ThreadRun, assn: VariableAssignment, txn?: VarTxn): VariableValue {
  return assignAt(rt, thread, assn, txn, 0);
}

function assignAt(rt: RunRuntime, thread: ThreadRun, assn: VariableAssignment, txn: VarTxn | undefined, depth: number): VariableValue {
  if (depth > MAX_ASSIGNMENT_DEPTH) throw new VarSubError('VariableAssignment nested too deeply');
  let val = source(rt, thread, assn, txn, depth);
  const path = assn.path;
  if (path?.$case === 'jsonPath') val = wrap(() => applyJsonPath(val, path.value));
  else if (path?.$case === 'lhPath') val = wrap(() => applyLhPath(val, path.value));
  if (assn.targetType !== undefined) {
    const target = assn.targetType;
    val = wrap(() => castTo(val, target), (m) => `Failed to cast value to ${describeType(target)}: ${m}`);
  }
  return val;
}

function source(rt: RunRuntime, thread: ThreadRun, assn: VariableAssignment, txn: VarTxn | undefined, depth: number): VariableValue {
  const src = assn.source;
  switch (src?.$case) {
    case 'literalValue':
      return src.value;
    case 'variableName': {
      const pending = txn?.get(src.value);
      return pending ?? readVariable(rt, thread, src.value);
    }
    case 'formatString': {
      if (src.value.format === undefined) throw new VarSubError('Format string has no template');
      const template = assignAt(rt, thread, src.value.format, txn, depth + 1);
      if (template.value?.$case !== 'str') {
        throw new VarSubError(`Format String template isn't a STR; it's a ${kindOf(template)}`);
      }
      const args = src.value.args.map((a) => assignAt(rt, thread, a, txn, depth + 1));
      const text = wrap(() => formatString(template.value?.$case === 'str' ? template.value.value : '', args), (m) => `Error formatting variable: ${m}`);
      return { value: { $case: 'str', value: text } };
    }
    case 'nodeOutput':
      return mostRecentNodeOutput(rt, thread, src.value.nodeName);
    case 'expression': {
      const { lhs, rhs, operation } = src.value;
      if (lhs === undefined || rhs === undefined || operation === undefined) {
        throw new VarSubError('Expression is missing an operand or its operation');
      }
      const left = assignAt(rt, thread, lhs, txn, depth + 1);
      const right = assignAt(rt, thread, rhs, txn, depth + 1);
      if (operation.$case === 'comparator') {
        const op = operation.value;
        return { value: { $case: 'bool', value: wrap(() => compare(left, op, right)) } };
      }
      const op = operation.value;
      return wrap(() => mutate(left, op, right));
    }
    case 'sizeOf': {
      if (src.value.operand === undefined) throw new VarSubError('SizeOf has no operand');
      return sizeOf(assignAt(rt, thread, src.value.operand, txn, depth + 1));
    }
    case 'structBuilder':
      return buildStruct(src.value, structDefLookupOf(rt.ctx, rt.ctx.tenant), (a) => assignAt(rt, thread, a, txn, depth + 1));
    case undefined:
      // The WfSpec validator refuses assignments without a source.
      throw new Error('VariableAssignment without a source');
  }
}

function sizeOf(v: VariableValue): VariableValue {
  const inner = v.value;
  let size: number;
  switch (inner?.$case) {
    case 'str':
      size = [...inner.value].length;
      break;
    case 'bytes':
      size = inner.value.length;
      break;
    case 'array':
      size = inner.value.items.length;
      break;
    case 'map':
      size = inner.value.entries.length;
      break;
    case 'jsonArr':
    case 'jsonObj': {
      const text = inner.value;
      const parsed = wrap(() => parseJson(text, 64));
      size = Array.isArray(parsed) ? parsed.length : parsed instanceof Map ? parsed.size : Object.keys(parsed as object).length;
      break;
    }
    default:
      throw new VarSubError(`Cannot take the size of a ${kindOf(v)} value`);
  }
  return { value: { $case: 'int', value: BigInt(size) } };
}

/** Evaluates an assignment that must be a BOOL (an edge or node condition). */
export function assignBool(rt: RunRuntime, thread: ThreadRun, assn: VariableAssignment): boolean {
  const v = assign(rt, thread, assn);
  if (v.value?.$case !== 'bool') throw new VarSubError(`Condition evaluated to ${kindOf(v)}, not BOOL`);
  return v.value.value;
}

/** Evaluates an assignment that must be (or cast to) an INT, e.g. a number of seconds. */
export function assignInt(rt: RunRuntime, thread: ThreadRun, assn: VariableAssignment): bigint {
  const v = assign(rt, thread, assn);
  if (v.value?.$case === 'int') return v.value.value;
  const cast = wrap(() => castTo(v, { definedType: { $case: 'primitiveType', value: VariableType.INT }, masked: false }));
  if (cast.value?.$case !== 'int') throw new VarSubError(`Expected an INT, got ${kindOf(v)}`);
  return cast.value.value;
}

export function describeType(t: TypeDefinition): string {
  const d = t.definedType;
  if (d?.$case === 'primitiveType') return VariableType[d.value] ?? String(d.value);
  if (d === undefined) return 'JSON_OBJ';
  return typeToString({ ...t, masked: false });
}

/** Runs a value-library call; anything it throws becomes a VarSubError with a useful message. */
export function wrap<T>(fn: () => T, message?: (m: string) => string): T {
  try {
    return fn();
  } catch (err) {
    const m = err instanceof Error ? err.message : String(err);
    if (err instanceof VarSubError && message === undefined) throw err;
    throw new VarSubError(message === undefined ? m : message(m));
  }
}
