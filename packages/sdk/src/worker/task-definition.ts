import { PutTaskDefRequest, type TaskDef, type TypeDefinition, type VariableDef } from '@filly/proto';
import {
  isVarTypeName,
  variableTypeOf,
  type InputJsType,
  type OutputJsType,
  type VarTypeName,
} from '../common/variable-types.ts';
import type { WorkerContext } from './worker-context.ts';

/** Input names → declared types. Key order is the TaskDef's input order. */
export type TaskInputSpec = Readonly<Record<string, VarTypeName>>;

/** The declared output type, or undefined for a task that returns nothing. */
export type TaskOutputSpec = VarTypeName | undefined;

export type TaskArgs<I extends TaskInputSpec> = { -readonly [K in keyof I]: InputJsType<I[K]> };

export type TaskResult<O extends TaskOutputSpec> = O extends VarTypeName ? OutputJsType<O> : void;

export type TaskHandler<I extends TaskInputSpec, O extends TaskOutputSpec> = (
  args: TaskArgs<I>,
  ctx: WorkerContext,
) => Promise<TaskResult<O>> | TaskResult<O>;

export interface TaskSpec<I extends TaskInputSpec, O extends TaskOutputSpec> {
  readonly name: string;
  readonly input: I;
  readonly output?: O;
  readonly description?: string;
  /** Inputs whose values the server masks when returning them through its API. */
  readonly maskedInputs?: readonly (keyof I & string)[];
}

/** A task's contract (name, typed inputs and output) together with its implementation. */
export interface TaskDefinition<I extends TaskInputSpec = TaskInputSpec, O extends TaskOutputSpec = TaskOutputSpec> {
  readonly name: string;
  readonly input: I;
  readonly output: O;
  readonly description: string | undefined;
  readonly maskedInputs: readonly string[];
  /** Method syntax on purpose: a concrete task stays assignable to the general TaskDefinition. */
  handler(args: TaskArgs<I>, ctx: WorkerContext): Promise<TaskResult<O>> | TaskResult<O>;
  /** Input names in declaration order (the TaskDef's input_vars order). */
  readonly inputNames: readonly string[];
}

const LH_NAME = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/;
const MAX_TASK_INPUTS = 256;

/**
 * Defines a task. The handler's argument object and return value are typed from the
 * declared LittleHorse types, and the same definition types `wf.execute()` call sites.
 *
 *   const greet = defineTask(
 *     { name: 'greet', input: { name: 'STR', times: 'INT' }, output: 'STR' },
 *     async ({ name, times }) => `hello ${name}`.repeat(times),
 *   );
 */
export function defineTask<const I extends TaskInputSpec, const O extends TaskOutputSpec = undefined>(
  spec: TaskSpec<I, O>,
  handler: TaskHandler<I, O>,
): TaskDefinition<I, O> {
  if (!LH_NAME.test(spec.name)) {
    throw new Error(`task name "${spec.name}" must be letters, digits and inner dashes`);
  }
  const inputNames = Object.keys(spec.input);
  if (inputNames.length > MAX_TASK_INPUTS) throw new Error(`task ${spec.name} has more than ${MAX_TASK_INPUTS} inputs`);
  for (const name of inputNames) {
    if (/^\d+$/.test(name)) throw new Error(`task input "${name}" must not be a bare number (JS would reorder it)`);
    if (!isVarTypeName(spec.input[name])) throw new Error(`task input "${name}" has unknown type`);
  }
  if (spec.output !== undefined && !isVarTypeName(spec.output)) throw new Error(`task output has unknown type`);
  const masked = spec.maskedInputs ?? [];
  for (const m of masked) {
    if (!inputNames.includes(m)) throw new Error(`masked input "${m}" is not an input of ${spec.name}`);
  }
  return Object.freeze({
    name: spec.name,
    input: spec.input,
    output: spec.output as O,
    description: spec.description,
    maskedInputs: Object.freeze([...masked]),
    handler,
    inputNames: Object.freeze(inputNames),
  });
}

function typeDefinition(type: VarTypeName, masked: boolean): TypeDefinition {
  return { definedType: { $case: 'primitiveType', value: variableTypeOf(type) }, masked };
}

/** The TaskDef input variables a definition declares. */
export function taskInputVars(task: TaskDefinition): VariableDef[] {
  return task.inputNames.map((name) => ({
    name,
    typeDef: typeDefinition(task.input[name] as VarTypeName, task.maskedInputs.includes(name)),
  }));
}

export function buildPutTaskDefRequest(task: TaskDefinition): PutTaskDefRequest {
  return PutTaskDefRequest.fromPartial({
    name: task.name,
    inputVars: taskInputVars(task),
    returnType: task.output !== undefined ? { returnType: typeDefinition(task.output, false) } : {},
    ...(task.description !== undefined ? { description: task.description } : {}),
  });
}

/**
 * Differences between the TaskDef registered on the server and the local definition:
 * input names, order and primitive types must agree. Returns human-readable problems.
 */
export function taskDefMismatches(task: TaskDefinition, registered: TaskDef): string[] {
  const problems: string[] = [];
  const local = taskInputVars(task);
  if (local.length !== registered.inputVars.length) {
    problems.push(`expected ${local.length} inputs, the server's TaskDef has ${registered.inputVars.length}`);
  }
  const n = Math.min(local.length, registered.inputVars.length);
  for (let i = 0; i < n; i++) {
    const mine = local[i];
    const theirs = registered.inputVars[i];
    if (mine === undefined || theirs === undefined) continue;
    if (mine.name !== theirs.name) problems.push(`input ${i} is "${theirs.name}" on the server, "${mine.name}" here`);
    const theirType = registeredPrimitive(theirs);
    const myType = mine.typeDef?.definedType?.$case === 'primitiveType' ? mine.typeDef.definedType.value : undefined;
    if (theirType !== undefined && theirType !== myType) {
      problems.push(`input "${mine.name}" has type ${theirType} on the server, ${String(myType)} here`);
    }
  }
  return problems;
}

function registeredPrimitive(def: VariableDef): number | undefined {
  const dt = def.typeDef?.definedType;
  if (dt?.$case === 'primitiveType') return dt.value;
  return def.type;
}
