/**
 * Variable mutations and arithmetic expressions (upstream `VariableValueModel.operate`).
 *
 * Result types follow upstream: with an INT left side the result stays INT (a DOUBLE right side
 * is truncated for ADD, or the double result cast back with Java's saturating `(long)` for
 * SUBTRACT/MULTIPLY/DIVIDE); INT overflow wraps like Java `long`; when the declared type is
 * DOUBLE the left side is widened first. ADD on JSON_ARR appends; EXTEND concatenates STR,
 * BYTES, JSON_ARR and ARRAY and merges MAPs.
 */
import { VariableMutationType, VariableType, type TypeDefinition, type VariableValue } from '@filly/proto';
import { coerceToType } from './cast.ts';
import { extend, removeIfPresent, removeIndex, removeKey } from './collection-ops.ts';
import { asBool, asDouble, asInt, asStr, boolValue, doubleValue, intValue, javaDoubleToLong, NULL_VALUE, strValue } from './convert.ts';
import { VarMutationError, VarSubError } from './errors.ts';
import { stringifyJsonTree } from './java-text.ts';
import { jsonArrTreeOf, jsonNodeOfValue } from './json.ts';
import { kindOf, primitiveType, typeOfValue, type ValueKind } from './types.ts';

const PRIMITIVE_KINDS: ReadonlySet<ValueKind> = new Set(['JSON_OBJ', 'JSON_ARR', 'DOUBLE', 'BOOL', 'STR', 'INT', 'BYTES', 'WF_RUN_ID', 'TIMESTAMP']);
const INT64_MAX_AS_DOUBLE = 9.223372036854775807e18;

function int(v: VariableValue): bigint {
  const x = asInt(v).value;
  if (x?.$case !== 'int') throw new VarSubError('expected INT');
  return x.value;
}
function dbl(v: VariableValue): number {
  const x = asDouble(v).value;
  if (x?.$case !== 'double') throw new VarSubError('expected DOUBLE');
  return x.value;
}
function requirePrimitiveRhs(rhs: VariableValue, what: string): void {
  if (!PRIMITIVE_KINDS.has(kindOf(rhs))) throw new VarSubError(`Cannot ${what} null`);
}

function add(lhs: VariableValue, rhs: VariableValue): VariableValue {
  if (!PRIMITIVE_KINDS.has(kindOf(rhs))) throw new VarSubError('Cannot add by null');
  switch (kindOf(lhs)) {
    case 'INT': return intValue(int(lhs) + int(rhs));
    case 'DOUBLE': return doubleValue(dbl(lhs) + dbl(rhs));
    case 'STR': {
      const a = asStr(lhs).value;
      const b = asStr(rhs).value;
      return strValue(`${a?.$case === 'str' ? a.value : 'null'}${b?.$case === 'str' ? b.value : 'null'}`);
    }
    case 'JSON_ARR': {
      const items = jsonArrTreeOf(lhs);
      items.push(jsonNodeOfValue(rhs));
      return { value: { $case: 'jsonArr', value: stringifyJsonTree(items) } };
    }
    default: throw new VarSubError(`Cannot add to var of type ${kindOf(lhs)}`);
  }
}

function subtract(lhs: VariableValue, rhs: VariableValue): VariableValue {
  requirePrimitiveRhs(rhs, 'subtract');
  switch (kindOf(lhs)) {
    case 'INT':
      return kindOf(rhs) === 'DOUBLE' ? intValue(javaDoubleToLong(dbl(lhs) - dbl(rhs))) : intValue(int(lhs) - int(rhs));
    case 'DOUBLE': return doubleValue(dbl(lhs) - dbl(rhs));
    default: throw new VarSubError(`Cannot subtract from var of type ${kindOf(lhs)}`);
  }
}

function multiply(lhs: VariableValue, rhs: VariableValue): VariableValue {
  requirePrimitiveRhs(rhs, 'multiply by');
  switch (kindOf(lhs)) {
    case 'INT':
      return kindOf(rhs) === 'DOUBLE' ? intValue(javaDoubleToLong(dbl(lhs) * dbl(rhs))) : intValue(int(lhs) * int(rhs));
    case 'DOUBLE': return doubleValue(dbl(lhs) * dbl(rhs));
    default: throw new VarSubError(`Cannot multiply value of type ${kindOf(lhs)}`);
  }
}

function divide(lhs: VariableValue, rhs: VariableValue): VariableValue {
  requirePrimitiveRhs(rhs, 'divide by');
  if (dbl(rhs) === 0) throw new VarSubError('Cannot divide by zero');
  switch (kindOf(lhs)) {
    case 'INT':
      // bigint division truncates toward zero like Java; MIN / -1 wraps back to MIN via intValue.
      return kindOf(rhs) === 'DOUBLE' ? intValue(javaDoubleToLong(dbl(lhs) / dbl(rhs))) : intValue(int(lhs) / int(rhs));
    case 'DOUBLE': return doubleValue(dbl(lhs) / dbl(rhs));
    default: throw new VarSubError(`Cannot divide var of type ${kindOf(lhs)}`);
  }
}

function pow(lhs: VariableValue, rhs: VariableValue): VariableValue {
  const lk = kindOf(lhs);
  const rk = kindOf(rhs);
  if (lk !== 'INT' && lk !== 'DOUBLE') throw new VarSubError(`Cannot exponentiate base value of type ${lk}`);
  if (rk !== 'INT' && rk !== 'DOUBLE') throw new VarSubError(`Cannot exponentiate by type ${rk}`);
  const result = Math.pow(dbl(lhs), dbl(rhs));
  if (!Number.isFinite(result)) throw new VarSubError(`Exponentiation result is not finite: Base ${dbl(lhs)}, Exponent ${dbl(rhs)}`);
  if (lk === 'DOUBLE' || rk === 'DOUBLE') return doubleValue(result);
  if (result > INT64_MAX_AS_DOUBLE || result < -INT64_MAX_AS_DOUBLE) {
    throw new VarSubError(`Exponentiation result is out of range for INT: Base ${int(lhs)}, Exponent ${int(rhs)}`);
  }
  return intValue(javaDoubleToLong(result));
}

/** Java `&&` / `||` short-circuit: the right side is only converted when it is needed. */
function logical(lhs: VariableValue, rhs: VariableValue, isAnd: boolean): VariableValue {
  const l = asBool(lhs).value;
  const lv = l?.$case === 'bool' && l.value;
  if (isAnd ? !lv : lv) return boolValue(lv);
  const r = asBool(rhs).value;
  return boolValue(r?.$case === 'bool' && r.value);
}

function operate(lhs: VariableValue, op: VariableMutationType, rhs: VariableValue, coerceTo: TypeDefinition | undefined): VariableValue {
  if (op === VariableMutationType.ASSIGN) {
    if (rhs.value === undefined) return NULL_VALUE;
    if (coerceTo === undefined) throw new VarSubError('Coercing to NULL not supported.');
    return coerceToType(rhs, coerceTo);
  }
  const ct = coerceTo?.definedType;
  if (ct?.$case === 'structDefId' || ct?.$case === 'inlineStructDef') {
    throw new VarSubError(`Unsupported operation for Structs: ${VariableMutationType[op]}`);
  }
  const widen = ct?.$case === 'primitiveType' && ct.value === VariableType.DOUBLE;
  switch (op) {
    case VariableMutationType.ADD: return add(widen ? asDouble(lhs) : lhs, rhs);
    case VariableMutationType.SUBTRACT: return subtract(widen ? asDouble(lhs) : lhs, rhs);
    case VariableMutationType.MULTIPLY: return multiply(widen ? asDouble(lhs) : lhs, rhs);
    case VariableMutationType.DIVIDE: return divide(widen ? asDouble(lhs) : lhs, rhs);
    case VariableMutationType.EXTEND: return extend(lhs, rhs);
    case VariableMutationType.REMOVE_IF_PRESENT: return removeIfPresent(lhs, rhs);
    case VariableMutationType.REMOVE_INDEX: return removeIndex(lhs, rhs);
    case VariableMutationType.REMOVE_KEY: return removeKey(lhs, rhs);
    case VariableMutationType.AND: return logical(lhs, rhs, true);
    case VariableMutationType.OR: return logical(lhs, rhs, false);
    case VariableMutationType.POW: return pow(lhs, rhs);
    default: throw new VarSubError(`Unsupported operation: ${String(op)}`);
  }
}

function asMutationError(e: unknown): unknown {
  if (!(e instanceof VarSubError)) return e;
  const err = new VarMutationError(e.message);
  err.cause = e;
  return err;
}

/**
 * Applies a mutation to a variable's current value. `declared` is the variable's declared type
 * (it steers ASSIGN coercion and DOUBLE widening); without it the left value's own type is used.
 * ASSIGN of NULL gives NULL. Every failure is a VarMutationError.
 */
export function mutate(
  lhs: VariableValue | undefined,
  op: VariableMutationType,
  rhs: VariableValue | undefined,
  declared?: TypeDefinition,
): VariableValue {
  const l = lhs ?? NULL_VALUE;
  try {
    return operate(l, op, rhs ?? NULL_VALUE, declared ?? typeOfValue(l));
  } catch (e) {
    throw asMutationError(e);
  }
}

/**
 * An arithmetic `Expression` (lhs <mutation_type> rhs): like a mutation coerced to the left
 * value's type, except INT with a DOUBLE right side is computed as DOUBLE. Failures are
 * VarSubError (they surface as VAR_SUB_ERROR upstream).
 */
export function evaluateExpression(
  lhs: VariableValue | undefined,
  op: VariableMutationType,
  rhs: VariableValue | undefined,
): VariableValue {
  const l = lhs ?? NULL_VALUE;
  const r = rhs ?? NULL_VALUE;
  const widen = kindOf(l) === 'INT' && kindOf(r) === 'DOUBLE';
  return operate(l, op, r, widen ? primitiveType(VariableType.DOUBLE) : typeOfValue(l));
}
