// Checks of the results a person submits when completing a UserTaskRun, against the fields of
// its UserTaskDef: every result names a field and has exactly that field's primitive type, and
// every required field is present.
import { VariableType, type UserTaskDef, type VariableValue } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { typeOfValue } from '../values/types.ts';

function typeName(v: VariableValue | undefined): string {
  const t = typeOfValue(v)?.definedType;
  if (t === undefined) return 'NULL';
  if (t.$case === 'primitiveType') return VariableType[t.value] ?? String(t.value);
  return t.$case;
}

export function checkCompletionResults(def: UserTaskDef, results: Readonly<Record<string, VariableValue>>): void {
  const fields = new Map(def.fields.map((f) => [f.name, f]));
  // Sorted, so the field named in an error never depends on the order a client sent them in.
  for (const name of Object.keys(results).sort()) {
    const value = results[name];
    const t = typeOfValue(value)?.definedType;
    if (t !== undefined && t.$case !== 'primitiveType') {
      throw invalidArgument(`Field [name = ${name}, type = ${typeName(value)}] has non-primitive TypeDefinition and is unsupported for a UserTask schema.`);
    }
    const field = fields.get(name);
    if (field === undefined || t === undefined || field.type !== t.value) {
      throw invalidArgument(`Field [name = ${name}, type = ${typeName(value)}] is not defined in UserTask schema or has different type`);
    }
  }
  const missing = def.fields.filter((f) => f.required && !(f.name in results)).map((f) => f.name);
  if (missing.length > 0) throw invalidArgument(`[${missing.join(',')}] are mandatory fields`);
}
