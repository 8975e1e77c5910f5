/** Casts and coercions between value kinds (upstream TypeCastingUtils and `coerceToType`). */
import type { TypeDefinition, VariableValue } from '@filly/proto';
import { asKind, NULL_VALUE } from './convert.ts';
import { VarSubError } from './errors.ts';
import { conformValue, TypeMismatchError } from '../structs/conform-value.ts';
import type { StructDefLookup } from '../structs/struct-def-lookup.ts';
import { declaredKind, kindOf, matchesType, typeOfValue, typesEqual, typeToString, type ValueKind } from './types.ts';

const CAST_SOURCES_TO_STR: ReadonlySet<ValueKind> = new Set(['STR', 'INT', 'DOUBLE', 'BOOL', 'BYTES', 'WF_RUN_ID']);
const CONTAINER_KINDS: ReadonlySet<ValueKind> = new Set(['STRUCT', 'ARRAY', 'MAP']);

/** Upstream `canCastTo`: which explicit casts (`VariableAssignment.target_type`) exist. */
export function canCastKind(source: ValueKind, target: ValueKind): boolean {
  if (source === target) return true;
  if (target === 'STR' && CAST_SOURCES_TO_STR.has(source)) return true;
  if ((source === 'INT' && target === 'DOUBLE') || (source === 'DOUBLE' && target === 'INT')) return true;
  return source === 'STR' && ['INT', 'DOUBLE', 'BOOL', 'BYTES', 'WF_RUN_ID'].includes(target);
}

function castFailure(source: ValueKind, target: ValueKind, v: VariableValue, cause: unknown): VarSubError {
  const s = v.value?.$case === 'str' ? v.value.value : undefined;
  let msg: string;
  if (s !== undefined && target === 'BYTES') msg = `Invalid Base64 string: '${s}'.`;
  else if (s !== undefined && target === 'WF_RUN_ID') msg = `Invalid UUID format: '${s}'.`;
  else if (s !== undefined) msg = `Cannot parse '${s}' as ${target}.`;
  else msg = `Failed to cast ${source} to ${target}: ${cause instanceof Error ? cause.message : String(cause)}`;
  const err = new VarSubError(msg);
  err.cause = cause;
  return err;
}

/**
 * Explicit cast (`VariableAssignment.target_type`): any of STR/INT/DOUBLE/BOOL/BYTES/WF_RUN_ID
 * to STR, INT↔DOUBLE (DOUBLE→INT truncates), STR → INT/DOUBLE/BOOL/BYTES/WF_RUN_ID. NULL and
 * container values pass through unchanged; everything else is a VarSubError.
 */
export function castTo(v: VariableValue, target: TypeDefinition): VariableValue {
  const source = kindOf(v);
  if (source === 'NULL' || CONTAINER_KINDS.has(source)) return v;
  if (target.definedType?.$case !== 'primitiveType' && target.definedType !== undefined) {
    throw new VarSubError(`Casting from ${source} to ${typeToString(target)} is not supported.`);
  }
  const targetKind = declaredKind(target);
  if (source === targetKind) return v;
  if (!canCastKind(source, targetKind)) {
    throw new VarSubError(`Casting from ${source} to ${targetKind} is not supported.`);
  }
  try {
    return asKind(v, targetKind);
  } catch (e) {
    throw castFailure(source, targetKind, v, e);
  }
}

/**
 * Upstream `coerceToType`, used by ASSIGN mutations: the declared type decides, and any
 * conversion the `as*` family knows is applied (so "12" assigned to an INT variable parses).
 * NULL is refused here: callers treat a NULL right-hand side before coercing.
 */
export function coerceToType(v: VariableValue, declared: TypeDefinition): VariableValue {
  const source = typeOfValue(v);
  if (source === undefined) throw new VarSubError('Coercing from NULL not supported.');
  const target = declared.definedType === undefined ? 'primitiveType' : declared.definedType.$case;
  const sourceCase = source.definedType?.$case;
  if (sourceCase !== target && !(target === 'inlineStructDef' && sourceCase === 'structDefId')) {
    throw new VarSubError(`Coercing from ${typeToString(source)} to ${typeToString(declared)} or vice versa not supported.`);
  }
  const sd = source.definedType;
  const td = declared.definedType;
  switch (sd?.$case) {
    case 'primitiveType':
      return asKind(v, declaredKind(declared));
    case 'structDefId':
      if (td?.$case === 'inlineStructDef' || (td?.$case === 'structDefId' && typesEqual(source, declared))) return v;
      break;
    case 'inlineArrayDef': {
      const item = sd.value.arrayType;
      if (item?.definedType === undefined) return v;
      if (td?.$case === 'inlineArrayDef' && typesEqual(item, td.value.arrayType)) return v;
      break;
    }
    case 'inlineMapDef': {
      const { keyType, valueType } = sd.value;
      if (keyType?.definedType === undefined && valueType?.definedType === undefined) return v;
      if (td?.$case === 'inlineMapDef' && typesEqual(keyType, td.value.keyType) && typesEqual(valueType, td.value.valueType)) return v;
      break;
    }
    default:
      break;
  }
  throw new VarSubError(`Coercing from ${typeToString(source)} to ${typeToString(declared)} not supported.`);
}

/**
 * Storing a value into a declared variable (RunWf inputs, thread inputs, defaults): the value must
 * fit without an explicit cast (same type, primitive→STR, INT→DOUBLE; containers by element
 * type), then it is converted. ARRAY/MAP values get the declared element types pinned, as
 * upstream does at ingress. NULL stays NULL.
 */
export function coerceForAssignment(v: VariableValue | undefined, declared: TypeDefinition, structs?: StructDefLookup): VariableValue | undefined {
  if (v === undefined || v.value === undefined) return v;
  if (!matchesType(v, declared)) {
    throw new VarSubError(`Value of type ${typeToString(typeOfValue(v))} is not compatible with expected type ${typeToString(declared)}`);
  }
  if (structs !== undefined && declared.definedType !== undefined && declared.definedType.$case !== 'primitiveType') {
    // STRUCT fields are checked against their StructDef; the copy gets the declared types pinned.
    const copy = structuredClone(v);
    try {
      conformValue(copy, declared, structs);
    } catch (err) {
      if (err instanceof TypeMismatchError) throw new VarSubError(err.message);
      throw err;
    }
    return copy;
  }
  const pinned = pinDeclaredTypes(v, declared, 0);
  return declared.definedType === undefined || declared.definedType.$case === 'primitiveType'
    ? castTo(pinned, declared)
    : pinned;
}

const MAX_PIN_DEPTH = 64;

function pinDeclaredTypes(v: VariableValue, t: TypeDefinition | undefined, depth: number): VariableValue {
  if (depth > MAX_PIN_DEPTH) throw new VarSubError('Value nested too deeply');
  const val = v.value;
  const d = t?.definedType;
  if (val?.$case === 'array' && d?.$case === 'inlineArrayDef') {
    const elem = d.value.arrayType;
    return {
      value: {
        $case: 'array',
        value: { items: val.value.items.map((i) => pinDeclaredTypes(i, elem, depth + 1)), elementType: elem },
      },
    };
  }
  if (val?.$case === 'map' && d?.$case === 'inlineMapDef') {
    const { keyType, valueType } = d.value;
    return {
      value: {
        $case: 'map',
        value: {
          entries: val.value.entries.map((e) => ({
            key: e.key === undefined ? undefined : pinDeclaredTypes(e.key, keyType, depth + 1),
            value: e.value === undefined ? undefined : pinDeclaredTypes(e.value, valueType, depth + 1),
          })),
          mapType: d.value,
        },
      },
    };
  }
  return v;
}

export { NULL_VALUE };
