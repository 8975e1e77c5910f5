// Checks shared by every place a variable is declared: TaskDef inputs and ThreadSpec variables.
import type { ReturnType, TypeDefinition, VariableDef } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { requireValidInnerName } from '../names.ts';
import { declaredTypeDef, isKnownPrimitive, literalFits, normalizeVariableDef, typeName } from './types.ts';

// Nested array/map types are walked recursively; a deeper nesting than this is refused.
const MAX_TYPE_DEPTH = 16;

/**
 * Validates one declaration and returns its normalized (stored) form. `where` prefixes every
 * message, e.g. "TaskDef 'charge' input variable 'amount'".
 */
export function checkVariableDef(def: VariableDef, where: string): VariableDef {
  requireValidInnerName(def.name, `${where}: variable name`);
  const label = `${where} variable '${def.name}'`;
  const td = declaredTypeDef(def);
  checkTypeDefinition(td, label);
  if (def.defaultValue !== undefined && !literalFits(def.defaultValue, td)) {
    throw invalidArgument(`${label}: default value does not match its type ${typeName(td)}.`);
  }
  return normalizeVariableDef(def);
}

/** Rejects malformed types and references to StructDefs (Filly stores none, so none exist). */
export function checkTypeDefinition(td: TypeDefinition, label: string, depth = 0): void {
  if (depth > MAX_TYPE_DEPTH) throw invalidArgument(`${label}: type nested deeper than ${MAX_TYPE_DEPTH} levels.`);
  const t = td.definedType;
  if (t === undefined) return;
  switch (t.$case) {
    case 'primitiveType':
      if (!isKnownPrimitive(t.value)) throw invalidArgument(`${label}: unknown variable type ${t.value}.`);
      return;
    case 'structDefId':
      throw invalidArgument(`${label}: refers to StructDef '${t.value.name}', which does not exist.`);
    case 'inlineArrayDef':
      if (!t.value.arrayType) throw invalidArgument(`${label}: array type has no element type.`);
      checkTypeDefinition(t.value.arrayType, label, depth + 1);
      return;
    case 'inlineMapDef': {
      const { keyType, valueType } = t.value;
      if (!keyType || !valueType) throw invalidArgument(`${label}: map type needs a key type and a value type.`);
      if (keyType.definedType?.$case !== 'primitiveType') {
        throw invalidArgument(`${label}: map keys must have a primitive type, not ${typeName(keyType)}.`);
      }
      checkTypeDefinition(keyType, label, depth + 1);
      checkTypeDefinition(valueType, label, depth + 1);
      return;
    }
    case 'inlineStructDef':
      for (const [field, fd] of Object.entries(t.value.fields)) {
        if (!fd.fieldType) throw invalidArgument(`${label}: struct field '${field}' has no type.`);
        checkTypeDefinition(fd.fieldType, `${label} field '${field}'`, depth + 1);
      }
      return;
  }
}

/** A ReturnType with no inner type means "void" and is always valid. */
export function checkReturnType(rt: ReturnType | undefined, label: string): void {
  if (rt?.returnType !== undefined) checkTypeDefinition(rt.returnType, label);
}

/** Validates a list of declarations: each one, and that no name repeats. */
export function checkVariableDefList(defs: readonly VariableDef[], where: string): VariableDef[] {
  const seen = new Set<string>();
  const out: VariableDef[] = [];
  for (const def of defs) {
    if (seen.has(def.name)) throw invalidArgument(`${where}: variable '${def.name}' is declared twice.`);
    seen.add(def.name);
    out.push(checkVariableDef(def, where));
  }
  return out;
}
