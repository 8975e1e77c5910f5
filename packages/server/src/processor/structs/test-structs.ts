// Builders of StructDefs and STRUCT values for the tests of this folder and its users.
import { StructDefCompatibilityType, VariableType, type InlineStructDef, type StructFieldDef, type TypeDefinition, type VariableValue } from '@filly/proto';

export const prim = (t: VariableType, masked = false): TypeDefinition => ({ definedType: { $case: 'primitiveType', value: t }, masked });
export const structType = (name: string, version = -1, masked = false): TypeDefinition =>
  ({ definedType: { $case: 'structDefId', value: { name, version } }, masked });

export function field(fieldType: TypeDefinition, extra: Partial<StructFieldDef> = {}): StructFieldDef {
  return { fieldType, isNullable: false, ...extra };
}

/** A person: a required name and age, an optional (nullable) nickname, a masked ssn. */
export function personDef(): InlineStructDef {
  return {
    fields: {
      name: field(prim(VariableType.STR)),
      age: field(prim(VariableType.INT)),
      nickname: field(prim(VariableType.STR), { isNullable: true }),
      ssn: field(prim(VariableType.STR, true), { isNullable: true }),
    },
  };
}

export const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
export const int = (n: number): VariableValue => ({ value: { $case: 'int', value: BigInt(n) } });

export function structValue(name: string, fields: Record<string, VariableValue>, version = 0): VariableValue {
  const out: Record<string, { value: VariableValue; masked: boolean }> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = { value: v, masked: false };
  return { value: { $case: 'struct', value: { structDefId: { name, version }, struct: { fields: out } } } };
}

export const putPersonRequest = (def: InlineStructDef = personDef(), allowedUpdates = StructDefCompatibilityType.NO_SCHEMA_UPDATES) =>
  ({ name: 'person', structDef: def, allowedUpdates });
