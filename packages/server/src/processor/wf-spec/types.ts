// Static type facts used while validating specs: what a VariableDef declares, whether a value
// fits a declared type, and which primitive types may flow into which without a cast.
import { VariableType } from '@filly/proto';
import type { TypeDefinition, VariableDef, VariableValue } from '@filly/proto';

/** A variable's declared type. The deprecated `type` field wins, as upstream reads it first. */
export function declaredTypeDef(def: VariableDef): TypeDefinition {
  if (def.type !== undefined) {
    return { definedType: { $case: 'primitiveType', value: def.type }, masked: def.maskedValue ?? false };
  }
  return def.typeDef ?? { definedType: undefined, masked: false };
}

/**
 * The form a VariableDef is stored in: only `type_def`, never the deprecated fields, so that old
 * and new clients registering the same spec produce the same record.
 */
export function normalizeVariableDef(def: VariableDef): VariableDef {
  const out: VariableDef = { name: def.name, typeDef: declaredTypeDef(def) };
  if (def.defaultValue !== undefined) out.defaultValue = def.defaultValue;
  return out;
}

/** The primitive type, or undefined for STRUCT, array and map types. No defined type means JSON_OBJ. */
export function primitiveOf(td: TypeDefinition): VariableType | undefined {
  const t = td.definedType;
  if (t === undefined) return VariableType.JSON_OBJ;
  return t.$case === 'primitiveType' ? t.value : undefined;
}

export function isKnownPrimitive(t: VariableType): boolean {
  return Number.isInteger(t) && t >= VariableType.JSON_OBJ && t <= VariableType.TIMESTAMP;
}

export function primitiveName(t: VariableType): string {
  return VariableType[t] ?? `VariableType(${t})`;
}

export function typeName(td: TypeDefinition): string {
  const t = td.definedType;
  if (t === undefined) return 'JSON_OBJ';
  switch (t.$case) {
    case 'primitiveType':
      return primitiveName(t.value);
    case 'structDefId':
      return `STRUCT<${t.value.name}>`;
    case 'inlineArrayDef':
      return `ARRAY<${t.value.arrayType ? typeName(t.value.arrayType) : '?'}>`;
    case 'inlineMapDef':
      return `MAP<${t.value.keyType ? typeName(t.value.keyType) : '?'}, ${t.value.valueType ? typeName(t.value.valueType) : '?'}>`;
    case 'inlineStructDef':
      return 'STRUCT';
  }
}

/** The primitive type a literal carries, or undefined for NULL and for non-primitive values. */
export function literalPrimitive(v: VariableValue): VariableType | undefined {
  const x = v.value;
  if (x === undefined) return undefined;
  switch (x.$case) {
    case 'jsonObj':
      return VariableType.JSON_OBJ;
    case 'jsonArr':
      return VariableType.JSON_ARR;
    case 'double':
      return VariableType.DOUBLE;
    case 'bool':
      return VariableType.BOOL;
    case 'str':
      return VariableType.STR;
    case 'int':
      return VariableType.INT;
    case 'bytes':
      return VariableType.BYTES;
    case 'wfRunId':
      return VariableType.WF_RUN_ID;
    case 'utcTimestamp':
      return VariableType.TIMESTAMP;
    case 'struct':
    case 'array':
    case 'map':
      return undefined;
  }
}

// Types a value converts to implicitly: every scalar renders as text, and integers widen.
const SCALARS: ReadonlySet<VariableType> = new Set([
  VariableType.STR,
  VariableType.INT,
  VariableType.DOUBLE,
  VariableType.BOOL,
  VariableType.BYTES,
  VariableType.WF_RUN_ID,
]);

/** May a value of type `from` be used where `to` is expected without an explicit cast? */
export function assignableWithoutCast(from: VariableType, to: VariableType): boolean {
  if (from === to) return true;
  if (to === VariableType.STR && SCALARS.has(from)) return true;
  return from === VariableType.INT && to === VariableType.DOUBLE;
}

/** May a value of type `from` be cast explicitly (VariableAssignment.target_type) to `to`? */
export function castable(from: VariableType, to: VariableType): boolean {
  if (assignableWithoutCast(from, to)) return true;
  if (from === VariableType.DOUBLE && to === VariableType.INT) return true;
  if (from !== VariableType.STR) return false;
  return (
    to === VariableType.INT ||
    to === VariableType.DOUBLE ||
    to === VariableType.BOOL ||
    to === VariableType.BYTES ||
    to === VariableType.WF_RUN_ID
  );
}

/**
 * Does a literal (a default value) fit a declared type? NULL fits anything. JSON texts must parse
 * to the right shape. Non-primitive declared types only accept NULL here; their values are
 * checked where they are supported.
 */
export function literalFits(v: VariableValue, td: TypeDefinition): boolean {
  const x = v.value;
  if (x === undefined) return true;
  const want = primitiveOf(td);
  if (want === undefined) return false;
  if (literalPrimitive(v) !== want) return false;
  if (x.$case === 'jsonObj') return jsonShape(x.value) === 'object';
  if (x.$case === 'jsonArr') return jsonShape(x.value) === 'array';
  return true;
}

function jsonShape(text: string): 'object' | 'array' | 'other' | 'invalid' {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return 'array';
    return parsed !== null && typeof parsed === 'object' ? 'object' : 'other';
  } catch {
    return 'invalid';
  }
}
