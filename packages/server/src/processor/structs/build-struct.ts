// Evaluating a StructBuilder at run time: each field's assignment is evaluated in the thread's
// scope, nested builders become nested STRUCTs, and each field takes the masked flag its
// StructDef declares. Field types were checked at PutWfSpec; as upstream, they are not re-checked.
import type { InlineStructBuilder, StructBuilder, StructDefId, StructField, VariableAssignment, VariableValue } from '@filly/proto';
import { VarSubError } from '../values/errors.ts';
import { structDefIdText, type StructDefLookup } from './struct-def-lookup.ts';

export type Evaluate = (a: VariableAssignment) => VariableValue;

const MAX_BUILD_DEPTH = 32;

export function buildStruct(b: StructBuilder, structs: StructDefLookup, evaluate: Evaluate): VariableValue {
  const id = b.structDefId;
  if (id === undefined) throw new VarSubError('Struct builder names no StructDef');
  return buildAt(id, b.value ?? { fields: {} }, structs, evaluate, 0);
}

function buildAt(id: StructDefId, builder: InlineStructBuilder, structs: StructDefLookup, evaluate: Evaluate, depth: number): VariableValue {
  if (depth > MAX_BUILD_DEPTH) throw new VarSubError('Struct builders nested too deeply');
  const def = structs(id.name, id.version);
  if (def?.id === undefined) throw new VarSubError(`StructDef ${structDefIdText(id)} not found`);
  const fieldDefs = def.structDef?.fields ?? {};
  const fields: Record<string, StructField> = {};
  for (const name of Object.keys(builder.fields).sort()) {
    const source = builder.fields[name]?.structValue;
    const fieldDef = Object.hasOwn(fieldDefs, name) ? fieldDefs[name] : undefined;
    let value: VariableValue;
    if (source?.$case === 'simpleValue') {
      value = evaluate(source.value);
    } else if (source?.$case === 'subStructure') {
      const nested = fieldDef?.fieldType?.definedType;
      if (nested?.$case !== 'structDefId') throw new VarSubError(`Field '${name}' is not a struct field`);
      value = buildAt(nested.value, source.value, structs, evaluate, depth + 1);
    } else {
      throw new VarSubError(`Field '${name}' is missing a value`);
    }
    fields[name] = { value, masked: fieldDef?.fieldType?.masked ?? false };
  }
  return { value: { $case: 'struct', value: { structDefId: { name: id.name, version: def.id.version }, struct: { fields } } } };
}
