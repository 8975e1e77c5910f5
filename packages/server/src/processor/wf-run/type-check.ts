// Checking a value against a declared type at the runtime's ingress points (RunWf inputs, task
// outputs, ExternalEvent content). NULL is accepted everywhere: upstream lets any variable be
// unset and leaves the consumer to object.
import type { TypeDefinition, VariableValue } from '@filly/proto';
import { kindOf, matchesType } from '../values/types.ts';
import { describeType } from './assign.ts';
import { isNull } from './variables.ts';

/** Undefined when `value` fits `type`; else a sentence saying why not. */
export function checkAgainstType(value: VariableValue | undefined, type: TypeDefinition): string | undefined {
  if (isNull(value)) return undefined;
  if (matchesType(value, type)) return undefined;
  return `expected ${describeType(type)} but got ${kindOf(value)}`;
}
