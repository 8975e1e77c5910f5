// Checking a value against its declared type where values enter the engine (RunWf inputs, task
// inputs and outputs, ExternalEvent content, StructDef defaults). As upstream does, the value is
// first given its authoritative types in place (array element types, map types, the masked flag
// of struct fields, the pinned StructDefId) and then validated; STRUCT values are checked
// against their StructDef, which may hold fewer fields than the value (newer clients).
import type { StructDef, Struct, TypeDefinition, VariableValue } from '@filly/proto';
import { isCompatibleType, typeOfValue, typeToString } from '../values/types.ts';
import { structDefIdText, type StructDefLookup } from './struct-def-lookup.ts';

/** Nested values are walked recursively; a value nested deeper than this is refused. */
const MAX_VALUE_DEPTH = 64;

export class TypeMismatchError extends Error {
  override readonly name = 'TypeMismatchError';
}

/** A field is required when it has no default and may not be null. */
export function isRequiredField(def: { defaultValue?: VariableValue | undefined; isNullable: boolean }): boolean {
  return def.defaultValue === undefined && !def.isNullable;
}

/** Pins the declared types onto `value` (in place), then validates it. Throws TypeMismatchError. */
export function conformValue(value: VariableValue, type: TypeDefinition, structs: StructDefLookup): void {
  if (value.value === undefined) return;
  pinExpectedTypes(type, value, structs, 0);
  validateCompatibility(value, type, structs, 0);
}

/** Undefined when `value` fits `type` (after pinning it in place); else why not. */
export function conformProblem(value: VariableValue, type: TypeDefinition, structs: StructDefLookup): string | undefined {
  try {
    conformValue(value, type, structs);
    return undefined;
  } catch (err) {
    if (err instanceof TypeMismatchError) return err.message;
    throw err;
  }
}

function tooDeep(depth: number): void {
  if (depth > MAX_VALUE_DEPTH) throw new TypeMismatchError(`Value nested deeper than ${MAX_VALUE_DEPTH} levels`);
}

function pinExpectedTypes(type: TypeDefinition | undefined, value: VariableValue | undefined, structs: StructDefLookup, depth: number): void {
  tooDeep(depth);
  const d = type?.definedType;
  const v = value?.value;
  if (d === undefined || v === undefined) return;
  if (d.$case === 'inlineArrayDef' && v.$case === 'array') {
    v.value.elementType = d.value.arrayType;
    for (const item of v.value.items) pinExpectedTypes(d.value.arrayType, item, structs, depth + 1);
  } else if (d.$case === 'inlineMapDef' && v.$case === 'map') {
    v.value.mapType = d.value;
    for (const e of v.value.entries) {
      pinExpectedTypes(d.value.keyType, e.key, structs, depth + 1);
      pinExpectedTypes(d.value.valueType, e.value, structs, depth + 1);
    }
  } else if (d.$case === 'structDefId' && v.$case === 'struct') {
    const def = structs(d.value.name, d.value.version);
    const fields = v.value.struct?.fields;
    if (def?.structDef === undefined || fields === undefined) return;
    for (const [name, field] of Object.entries(fields)) {
      const fieldDef = def.structDef.fields[name];
      if (fieldDef !== undefined) pinExpectedTypes(fieldDef.fieldType, field.value, structs, depth + 1);
    }
  }
}

function validateCompatibility(value: VariableValue, type: TypeDefinition, structs: StructDefLookup, depth: number): void {
  tooDeep(depth);
  const v = value.value;
  if (v === undefined) return;
  const actual = typeOfValue(value);
  if (!isCompatibleType(type, actual)) {
    throw new TypeMismatchError(`Value of type ${typeToString(actual)} is not compatible with expected type ${typeToString(type)}`);
  }
  const d = type.definedType;
  if (v.$case === 'struct' && d?.$case === 'structDefId') {
    validateStruct(v.value, d.value.name, d.value.version, structs, depth);
  } else if (v.$case === 'array' && d?.$case === 'inlineArrayDef' && d.value.arrayType !== undefined) {
    const want = d.value.arrayType;
    for (const item of v.value.items) {
      const got = typeOfValue(item);
      if (!isCompatibleType(want, got)) {
        throw new TypeMismatchError(`Array element type ${typeToString(got)} incompatible with expected element type ${typeToString(want)}`);
      }
    }
  } else if (v.$case === 'map' && d?.$case === 'inlineMapDef') {
    const { keyType, valueType } = d.value;
    for (const e of v.value.entries) {
      const k = typeOfValue(e.key);
      if (keyType?.definedType !== undefined && !isCompatibleType(keyType, k)) {
        throw new TypeMismatchError(`Map key type ${typeToString(k)} incompatible with expected key type ${typeToString(keyType)}`);
      }
      const val = typeOfValue(e.value);
      if (valueType?.definedType !== undefined && !isCompatibleType(valueType, val)) {
        throw new TypeMismatchError(`Map value type ${typeToString(val)} incompatible with expected value type ${typeToString(valueType)}`);
      }
    }
  }
}

function validateStruct(struct: Struct, name: string, version: number, structs: StructDefLookup, depth: number): void {
  const def = structs(name, version);
  const shownId = structDefIdText({ name, version });
  if (def?.id === undefined) throw new TypeMismatchError(`StructDef ${shownId} does not exist.`);
  try {
    validateFields(struct, def, structs, depth);
  } catch (err) {
    if (!(err instanceof TypeMismatchError)) throw err;
    throw new TypeMismatchError(`Struct incompatible with StructDef ${structDefIdText(def.id)}: ${err.message}`);
  }
  struct.structDefId = { name, version: def.id.version };
}

/** Every required field must be present and every present declared field must fit; extra fields are kept. */
function validateFields(struct: Struct, def: StructDef, structs: StructDefLookup, depth: number): void {
  const fields = struct.struct?.fields ?? {};
  for (const name of Object.keys(def.structDef?.fields ?? {}).sort()) {
    const fieldDef = def.structDef?.fields[name];
    if (fieldDef === undefined) continue;
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (field === undefined) {
      if (isRequiredField(fieldDef)) throw new TypeMismatchError(`Missing required field ${name}`);
      continue;
    }
    field.masked = fieldDef.fieldType?.masked ?? false;
    try {
      const fieldValue = field.value;
      if (fieldValue === undefined || fieldValue.value === undefined) {
        if (!fieldDef.isNullable) throw new TypeMismatchError('Field is not nullable but received null value');
        continue;
      }
      try {
        validateCompatibility(fieldValue, fieldDef.fieldType ?? { definedType: undefined, masked: false }, structs, depth + 1);
      } catch (err) {
        if (!(err instanceof TypeMismatchError)) throw err;
        throw new TypeMismatchError(`StructFieldDef validation failed: ${err.message}`);
      }
    } catch (err) {
      if (!(err instanceof TypeMismatchError)) throw err;
      throw new TypeMismatchError(`Field '${name}' is invalid: ${err.message}`);
    }
  }
}
