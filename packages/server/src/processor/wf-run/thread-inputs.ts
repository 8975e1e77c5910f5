// Checking the inputs a thread is started with against its ThreadSpec's declarations, as upstream
// does for RunWf and before starting a child thread: required inputs present, every input declared
// and of its declared type, no value for an inherited variable.
import { WfRunVariableAccessLevel, type ThreadSpec, type VariableValue } from '@filly/proto';
import { typeDefOfVariableDef } from '../values/types.ts';
import { checkAgainstType } from './type-check.ts';
import { describeType } from './assign.ts';
import type { StructDefLookup } from '../structs/struct-def-lookup.ts';

/** A description of what is wrong with the inputs; undefined when they fit. */
export function problemWithThreadInputs(
  spec: ThreadSpec,
  threadSpecName: string,
  inputs: Readonly<Record<string, VariableValue>>,
  structs?: StructDefLookup,
): string | undefined {
  for (const threadVarDef of spec.variableDefs) {
    const def = threadVarDef.varDef;
    if (def === undefined) continue;
    const given = Object.hasOwn(inputs, def.name) ? inputs[def.name] : undefined;
    const type = typeDefOfVariableDef(def);
    if (given === undefined) {
      if (threadVarDef.required) return `Must provide required input variable ${def.name} of type ${describeType(type)}`;
      continue;
    }
    if (threadVarDef.accessLevel === WfRunVariableAccessLevel.INHERITED_VAR) {
      return `Variable ${def.name} is an inherited var but it was provided as input`;
    }
    const problem = checkAgainstType(given, type, structs);
    if (problem !== undefined) return `Invalid value for variable ${def.name}: ${problem}`;
  }
  for (const name of Object.keys(inputs)) {
    if (!spec.variableDefs.some((d) => d.varDef?.name === name)) {
      return `Var ${name} provided but not needed for thread ${threadSpecName}`;
    }
  }
  return undefined;
}
