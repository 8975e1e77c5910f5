// Checks shared by every place a variable is declared: TaskDef inputs and ThreadSpec variables.
import { VariableType, type ReturnType, type TypeDefinition, type VariableDef } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { requireValidInnerName } from '../names.ts';
import { conformProblem } from '../structs/conform-value.ts';
import { pinStructVersions, UnknownStructDefError } from '../structs/pin-types.ts';
import type { StructDefLookup } from '../structs/struct-def-lookup.ts';
import { declaredTypeDef, isKnownPrimitive, literalFits, normalizeVariableDef, typeName } from './types.ts';

// Upstream's "primitive" types: those a Map may be keyed by.
const MAP_KEY_TYPES: ReadonlySet<VariableType> = new Set([
  VariableType.INT, VariableType.BOOL, VariableType.DOUBLE, VariableType.WF_RUN_ID, VariableType.TIMESTAMP, VariableType.STR,
]);

// Nested array/map types are walked recursively; a deeper nesting than this is refused.
const MAX_TYPE_DEPTH = 16;

/**
 * Validates one declaration and returns its normalized (stored) form, with StructDef references
 * pinned to concrete versions when `structs` is given. `where` prefixes every message, e.g.
 * "TaskDef 'charge' input variable 'amount'".
 */
export function checkVariableDef(def: VariableDef, where: string, structs?: StructDefLookup): VariableDef {
  requireValidInnerName(def.name, `${where}: variable name`);
  const label = `${where} variable '${def.name}'`;
  const td = checkTypeDefinition(declaredTypeDef(def), label, structs);
  const dflt = def.defaultValue;
  if (dflt !== undefined && dflt.value !== undefined) {
    const primitive = td.definedType === undefined || td.definedType.$case === 'primitiveType';
    const problem = primitive || structs === undefined
      ? (literalFits(dflt, td) ? undefined : 'it does not match')
      : conformProblem(structuredClone(dflt), td, structs);
    if (problem !== undefined) throw invalidArgument(`${label}: default value does not match its type ${typeName(td)}: ${problem}.`);
  }
  const out = normalizeVariableDef(def);
  out.typeDef = td;
  return out;
}

/**
 * Rejects malformed types. A StructDef reference must name a stored StructDef (with no
 * `structs`, none exist) and comes back pinned to its concrete version.
 */
export function checkTypeDefinition(td: TypeDefinition, label: string, structs?: StructDefLookup): TypeDefinition {
  checkTypeShape(td, label, structs !== undefined, 0);
  if (structs === undefined) return td;
  try {
    return pinStructVersions(td, structs);
  } catch (err) {
    if (err instanceof UnknownStructDefError) throw invalidArgument(`${label}: ${err.message}`);
    throw err;
  }
}

function checkTypeShape(td: TypeDefinition, label: string, structsKnown: boolean, depth: number): void {
  if (depth > MAX_TYPE_DEPTH) throw invalidArgument(`${label}: type nested deeper than ${MAX_TYPE_DEPTH} levels.`);
  const t = td.definedType;
  if (t === undefined) return;
  switch (t.$case) {
    case 'primitiveType':
      if (!isKnownPrimitive(t.value)) throw invalidArgument(`${label}: unknown variable type ${t.value}.`);
      return;
    case 'structDefId':
      if (!structsKnown) throw invalidArgument(`${label}: Refers to non-existent StructDef ${t.value.name}`);
      return;
    case 'inlineArrayDef':
      if (!t.value.arrayType) throw invalidArgument(`${label}: array type has no element type.`);
      checkTypeShape(t.value.arrayType, label, structsKnown, depth + 1);
      return;
    case 'inlineMapDef': {
      const { keyType, valueType } = t.value;
      if (!keyType || !valueType) throw invalidArgument(`${label}: map type needs a key type and a value type.`);
      if (keyType.definedType?.$case !== 'primitiveType' || !MAP_KEY_TYPES.has(keyType.definedType.value)) {
        throw invalidArgument(`${label}: has invalid Map key type: Map key type must be a primitive VariableType, but got: ${typeName(keyType)}.`);
      }
      checkTypeShape(keyType, label, structsKnown, depth + 1);
      checkTypeShape(valueType, label, structsKnown, depth + 1);
      return;
    }
    case 'inlineStructDef':
      for (const [field, fd] of Object.entries(t.value.fields)) {
        if (!fd.fieldType) throw invalidArgument(`${label}: struct field '${field}' has no type.`);
        checkTypeShape(fd.fieldType, `${label} field '${field}'`, structsKnown, depth + 1);
      }
      return;
  }
}

/** A ReturnType with no inner type means "void" and is always valid. Returns the pinned form. */
export function checkReturnType(rt: ReturnType | undefined, label: string, structs?: StructDefLookup): ReturnType | undefined {
  if (rt?.returnType === undefined) return rt;
  return { returnType: checkTypeDefinition(rt.returnType, label, structs) };
}

/** Validates a list of declarations: each one, and that no name repeats. */
export function checkVariableDefList(defs: readonly VariableDef[], where: string, structs?: StructDefLookup): VariableDef[] {
  const seen = new Set<string>();
  const out: VariableDef[] = [];
  for (const def of defs) {
    if (seen.has(def.name)) throw invalidArgument(`${where}: variable '${def.name}' is declared twice.`);
    seen.add(def.name);
    out.push(checkVariableDef(def, where, structs));
  }
  return out;
}
