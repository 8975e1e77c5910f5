/** Kinds and type definitions of values, and which value fits which declared type. */
import { VariableType, type TypeDefinition, type VariableDef, type VariableValue } from '@filly/proto';

export type ValueKind = 'NULL' | 'JSON_OBJ' | 'JSON_ARR' | 'DOUBLE' | 'BOOL' | 'STR' | 'INT' | 'BYTES'
  | 'WF_RUN_ID' | 'TIMESTAMP' | 'STRUCT' | 'ARRAY' | 'MAP';

/** The primitive kinds, which have a `VariableType`. */
export type PrimitiveKind = Exclude<ValueKind, 'NULL' | 'STRUCT' | 'ARRAY' | 'MAP'>;

const KIND_OF_CASE = {
  jsonObj: 'JSON_OBJ', jsonArr: 'JSON_ARR', double: 'DOUBLE', bool: 'BOOL', str: 'STR', int: 'INT',
  bytes: 'BYTES', wfRunId: 'WF_RUN_ID', utcTimestamp: 'TIMESTAMP', struct: 'STRUCT', array: 'ARRAY',
  map: 'MAP',
} as const satisfies Record<NonNullable<VariableValue['value']>['$case'], ValueKind>;

const KIND_OF_PRIMITIVE: Readonly<Record<number, PrimitiveKind>> = {
  [VariableType.JSON_OBJ]: 'JSON_OBJ', [VariableType.JSON_ARR]: 'JSON_ARR', [VariableType.DOUBLE]: 'DOUBLE',
  [VariableType.BOOL]: 'BOOL', [VariableType.STR]: 'STR', [VariableType.INT]: 'INT',
  [VariableType.BYTES]: 'BYTES', [VariableType.WF_RUN_ID]: 'WF_RUN_ID', [VariableType.TIMESTAMP]: 'TIMESTAMP',
};

export const PRIMITIVE_OF_KIND: Readonly<Record<PrimitiveKind, VariableType>> = {
  JSON_OBJ: VariableType.JSON_OBJ, JSON_ARR: VariableType.JSON_ARR, DOUBLE: VariableType.DOUBLE,
  BOOL: VariableType.BOOL, STR: VariableType.STR, INT: VariableType.INT, BYTES: VariableType.BYTES,
  WF_RUN_ID: VariableType.WF_RUN_ID, TIMESTAMP: VariableType.TIMESTAMP,
};

export function kindOf(v: VariableValue | undefined): ValueKind {
  const c = v?.value?.$case;
  return c === undefined ? 'NULL' : KIND_OF_CASE[c];
}

/** Unset `defined_type` means JSON_OBJ (clients up to 0.14.1 send it that way). */
export function declaredKind(t: TypeDefinition | undefined): ValueKind {
  const d = t?.definedType;
  switch (d?.$case) {
    case undefined: return 'JSON_OBJ';
    case 'primitiveType': {
      const k = KIND_OF_PRIMITIVE[d.value];
      if (k === undefined) throw new Error(`unknown VariableType ${d.value}`);
      return k;
    }
    case 'structDefId':
    case 'inlineStructDef': return 'STRUCT';
    case 'inlineArrayDef': return 'ARRAY';
    case 'inlineMapDef': return 'MAP';
  }
}

export function primitiveType(t: VariableType, masked = false): TypeDefinition {
  return { definedType: { $case: 'primitiveType', value: t }, masked };
}

/** Accepts both the current `type_def` and the pre-0.13.2 `type` + `masked_value` form. */
export function typeDefOfVariableDef(d: VariableDef): TypeDefinition {
  if (d.type !== undefined) return primitiveType(d.type, d.maskedValue ?? false);
  if (d.typeDef === undefined || d.typeDef.definedType === undefined) {
    return primitiveType(VariableType.JSON_OBJ, d.typeDef?.masked ?? false);
  }
  return d.typeDef;
}

export function isMasked(d: VariableDef): boolean {
  return typeDefOfVariableDef(d).masked;
}

/** The type a value reports for itself; `undefined` for NULL (upstream's "not set"). */
export function typeOfValue(v: VariableValue | undefined): TypeDefinition | undefined {
  const val = v?.value;
  if (val === undefined) return undefined;
  switch (val.$case) {
    case 'struct':
      return { definedType: { $case: 'structDefId', value: val.value.structDefId ?? { name: '', version: 0 } }, masked: false };
    case 'array': {
      const arr = val.value;
      // The declared element type wins; otherwise the first item stands for all of them.
      const item = arr.elementType ?? (arr.items[0] === undefined ? undefined : typeOfValue(arr.items[0]));
      return { definedType: { $case: 'inlineArrayDef', value: { arrayType: item } }, masked: false };
    }
    case 'map': {
      const m = val.value;
      if (m.mapType !== undefined) return { definedType: { $case: 'inlineMapDef', value: m.mapType }, masked: false };
      const first = m.entries[0];
      return {
        definedType: { $case: 'inlineMapDef', value: { keyType: typeOfValue(first?.key), valueType: typeOfValue(first?.value) } },
        masked: false,
      };
    }
    default:
      return primitiveType(PRIMITIVE_OF_KIND[KIND_OF_CASE[val.$case] as PrimitiveKind]);
  }
}

function isUnset(t: TypeDefinition | undefined): boolean {
  return t === undefined || t.definedType === undefined;
}

/** Structural equality of types; `masked` is a display flag and does not change the type. */
export function typesEqual(a: TypeDefinition | undefined, b: TypeDefinition | undefined): boolean {
  const da = a?.definedType;
  const db = b?.definedType;
  if (da === undefined || db === undefined) return da === db;
  switch (da.$case) {
    case 'primitiveType': return db.$case === 'primitiveType' && da.value === db.value;
    case 'structDefId':
      return db.$case === 'structDefId' && da.value.name === db.value.name && da.value.version === db.value.version;
    case 'inlineArrayDef':
      return db.$case === 'inlineArrayDef' && typesEqual(da.value.arrayType, db.value.arrayType);
    case 'inlineMapDef':
      return db.$case === 'inlineMapDef' && typesEqual(da.value.keyType, db.value.keyType)
        && typesEqual(da.value.valueType, db.value.valueType);
    case 'inlineStructDef': return db.$case === 'inlineStructDef';
  }
}

/** Primitive kinds that may be implicitly rendered as STR (upstream's `isPrimitive` for casts). */
export const STR_CASTABLE_KINDS: ReadonlySet<ValueKind> = new Set(['STR', 'INT', 'DOUBLE', 'BOOL', 'BYTES', 'WF_RUN_ID']);

/** Upstream `canBeType`: assignable without an explicit cast. */
export function canBeKind(source: ValueKind, target: ValueKind): boolean {
  if (source === target) return true;
  if (target === 'STR' && STR_CASTABLE_KINDS.has(source)) return true;
  return source === 'INT' && target === 'DOUBLE';
}

/**
 * Upstream `TypeDefinitionModel.isCompatibleWith`: may a value of type `source` be stored where
 * `target` is declared, without an explicit cast. Unknown container element types are wildcards.
 */
export function isCompatibleType(target: TypeDefinition, source: TypeDefinition | undefined): boolean {
  if (isUnset(source) || target.definedType === undefined) return true;
  const t = target.definedType;
  const s = source?.definedType;
  if (s === undefined || s.$case !== t.$case) return false;
  switch (t.$case) {
    case 'primitiveType': {
      const sk = declaredKind(source);
      const tk = declaredKind(target);
      return canBeKind(sk, tk);
    }
    case 'structDefId': return s.$case === 'structDefId' && s.value.name === t.value.name;
    case 'inlineArrayDef': {
      if (s.$case !== 'inlineArrayDef' || isUnset(s.value.arrayType)) return true;
      return typesEqual(t.value.arrayType, s.value.arrayType);
    }
    case 'inlineMapDef': {
      if (s.$case !== 'inlineMapDef' || (isUnset(s.value.keyType) && isUnset(s.value.valueType))) return true;
      return typesEqual(t.value.keyType, s.value.keyType) && typesEqual(t.value.valueType, s.value.valueType);
    }
    case 'inlineStructDef': return true;
  }
}

/**
 * Does the value fit the declared type (upstream `validateCompatibility`, minus the StructDef
 * field check, which needs metadata). NULL fits anything; ARRAY items and MAP entries are
 * checked one by one.
 */
export function matchesType(v: VariableValue | undefined, t: TypeDefinition): boolean {
  const val = v?.value;
  if (val === undefined) return true;
  if (!isCompatibleType(t, typeOfValue(v))) return false;
  const d = t.definedType;
  if (val.$case === 'array' && d?.$case === 'inlineArrayDef') {
    const elem = d.value.arrayType;
    if (elem === undefined) return true;
    return val.value.items.every((item) => isCompatibleType(elem, typeOfValue(item)));
  }
  if (val.$case === 'map' && d?.$case === 'inlineMapDef') {
    const { keyType, valueType } = d.value;
    return val.value.entries.every((e) =>
      (keyType === undefined || isCompatibleType(keyType, typeOfValue(e.key)))
      && (valueType === undefined || isCompatibleType(valueType, typeOfValue(e.value))));
  }
  return true;
}

/** Upstream's `TypeDefinitionModel.toString`, used in error messages. */
export function typeToString(t: TypeDefinition | undefined): string {
  const d = t?.definedType;
  let out: string;
  switch (d?.$case) {
    case undefined: out = 'DEFINEDTYPE_NOT_SET'; break;
    case 'primitiveType': out = declaredKind(t); break;
    case 'structDefId': out = `Struct<${d.value.name},v${d.value.version}>`; break;
    case 'inlineArrayDef': out = `Array<${typeToString(d.value.arrayType)}>`; break;
    case 'inlineMapDef': out = `Map<${typeToString(d.value.keyType)}, ${typeToString(d.value.valueType)}>`; break;
    case 'inlineStructDef': out = 'InlineStruct'; break;
  }
  return t?.masked === true ? `${out} MASKED` : out;
}
