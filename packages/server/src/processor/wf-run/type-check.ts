// Checking a value against a declared type at the runtime's ingress points (RunWf inputs, task
// outputs, ExternalEvent content). NULL is accepted everywhere: upstream lets any variable be
// unset and leaves the consumer to object. With the StructDefs at hand, STRUCT values are checked
// field by field and the value is given its authoritative types in place (array element types,
// masked flags of struct fields, pinned StructDefId), as upstream does.
import type { TypeDefinition, VariableValue } from '@filly/proto';
import { conformProblem } from '../structs/conform-value.ts';
import type { StructDefLookup } from '../structs/struct-def-lookup.ts';
import { kindOf, matchesType } from '../values/types.ts';
import { describeType } from './assign.ts';
import { isNull } from './variables.ts';

/** Undefined when `value` fits `type`; else a sentence saying why not. */
export function checkAgainstType(value: VariableValue | undefined, type: TypeDefinition, structs?: StructDefLookup): string | undefined {
  if (value === undefined || isNull(value)) return undefined;
  if (structs !== undefined) return conformProblem(value, type, structs);
  if (matchesType(value, type)) return undefined;
  return `expected ${describeType(type)} but got ${kindOf(value)}`;
}
