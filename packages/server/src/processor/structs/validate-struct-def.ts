// Validation of an InlineStructDef (PutStructDef, ValidateStructDefEvolution): camelCase field
// names, field types that exist (StructDef references are pinned to concrete versions), no JSON
// types inside a StructDef, and defaults that fit their fields.
import { VariableType, type InlineStructDef, type StructFieldDef, type TypeDefinition } from '@filly/proto';
import { conformValue, TypeMismatchError } from './conform-value.ts';
import { fieldNameProblem } from './field-names.ts';
import { pinStructVersions, UnknownStructDefError } from './pin-types.ts';
import type { StructDefLookup } from './struct-def-lookup.ts';

/** A StructDef this wide is a mistake, not a schema. */
export const MAX_STRUCT_DEF_FIELDS = 1_000;

export class StructDefInvalidError extends Error {
  override readonly name = 'StructDefInvalidError';
}

/** Returns the stored form of `def` (pinned versions, fields in name order) or throws StructDefInvalidError. */
export function validateInlineStructDef(def: InlineStructDef, structs: StructDefLookup): InlineStructDef {
  const names = Object.keys(def.fields).sort();
  if (names.length > MAX_STRUCT_DEF_FIELDS) {
    throw new StructDefInvalidError(`StructDef has ${names.length} fields; at most ${MAX_STRUCT_DEF_FIELDS} are allowed`);
  }
  const out: InlineStructDef = { fields: {} };
  for (const name of names) {
    const field = def.fields[name];
    if (field === undefined) continue;
    const nameProblem = fieldNameProblem(name);
    if (nameProblem !== undefined) throw new StructDefInvalidError(`StructDef field name '${name}' invalid: ${nameProblem}`);
    try {
      out.fields[name] = validateField(field, structs);
    } catch (err) {
      if (!(err instanceof StructDefInvalidError)) throw err;
      throw new StructDefInvalidError(`StructDef field '${name}' invalid: ${err.message}`);
    }
  }
  return out;
}

function validateField(field: StructFieldDef, structs: StructDefLookup): StructFieldDef {
  // An unset type means JSON_OBJ, which is refused below like an explicit one.
  const declared: TypeDefinition = field.fieldType?.definedType === undefined
    ? { definedType: { $case: 'primitiveType', value: VariableType.JSON_OBJ }, masked: field.fieldType?.masked ?? false }
    : field.fieldType;
  let fieldType: TypeDefinition;
  try {
    fieldType = pinStructVersions(declared, structs);
  } catch (err) {
    if (err instanceof UnknownStructDefError) throw new StructDefInvalidError(err.message);
    throw err;
  }
  const forbidden = forbiddenJsonType(fieldType, 0);
  if (forbidden !== undefined) {
    throw new StructDefInvalidError(
      `Forbidden JSON type: ${forbidden}. Within StructDefs, use native equivalents such as StructDefs for nested object types and InlineArrayDefs for native LH arrays.`,
    );
  }
  const out: StructFieldDef = { fieldType, isNullable: field.isNullable };
  const dflt = field.defaultValue;
  if (dflt !== undefined) {
    if (dflt.value === undefined && !field.isNullable) {
      throw new StructDefInvalidError('Non-nullable field cannot have a null default value');
    }
    const copy = structuredClone(dflt);
    if (copy.value !== undefined) {
      try {
        conformValue(copy, fieldType, structs);
      } catch (err) {
        if (!(err instanceof TypeMismatchError)) throw err;
        throw new StructDefInvalidError(`StructFieldDef validation failed: ${err.message}`);
      }
    }
    out.defaultValue = copy;
  }
  return out;
}

const MAX_TYPE_DEPTH = 32;

function forbiddenJsonType(t: TypeDefinition | undefined, depth: number): string | undefined {
  if (depth > MAX_TYPE_DEPTH) throw new StructDefInvalidError('Type nested too deeply');
  const d = t?.definedType;
  switch (d?.$case) {
    case 'primitiveType':
      if (d.value === VariableType.JSON_OBJ) return 'JSON_OBJ';
      if (d.value === VariableType.JSON_ARR) return 'JSON_ARR';
      return undefined;
    case 'inlineArrayDef':
      return forbiddenJsonType(d.value.arrayType, depth + 1);
    case 'inlineMapDef':
      return forbiddenJsonType(d.value.keyType, depth + 1) ?? forbiddenJsonType(d.value.valueType, depth + 1);
    case 'inlineStructDef':
      // Upstream reads an inline struct type as JSON_OBJ.
      return 'JSON_OBJ';
    default:
      return undefined;
  }
}
