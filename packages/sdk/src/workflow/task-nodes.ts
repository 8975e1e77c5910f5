import type { TaskNode } from '@filly/proto';
import type { TaskDefinition, TaskInputSpec, TaskOutputSpec } from '../worker/task-definition.ts';
import type { CompileContext } from './compile-context.ts';
import { assignmentOf, type Assignable } from './expression.ts';
import { backoffPolicy, type BackoffPolicy } from './node-output.ts';

export type ExecuteArgs<I extends TaskInputSpec> = { readonly [K in keyof I]: Assignable<I[K]> };

export interface ExecuteOptions {
  readonly retries?: number;
  readonly timeoutSeconds?: number;
  readonly exponentialBackoff?: BackoffPolicy;
}

/**
 * The TaskNode running `task` with `args` (checked against its inputs), with the
 * workflow's default timeout, retries and backoff unless `options` overrides them.
 * Used for TASK nodes and for user-task reminder tasks alike.
 */
export function buildTaskNode<I extends TaskInputSpec, O extends TaskOutputSpec>(
  ctx: CompileContext,
  task: TaskDefinition<I, O>,
  args: ExecuteArgs<I>,
  options: ExecuteOptions = {},
): TaskNode {
  const variables = task.inputNames.map((name) => {
    if (!(name in args)) throw new Error(`execute(${task.name}): missing argument "${name}"`);
    return assignmentOf((args as Record<string, unknown>)[name], task.input[name]);
  });
  const extra = Object.keys(args).filter((k) => !task.inputNames.includes(k));
  if (extra.length > 0) throw new Error(`execute(${task.name}): unknown argument(s) ${extra.join(', ')}`);
  ctx.taskDefNames.add(task.name);
  const backoff = options.exponentialBackoff !== undefined ? backoffPolicy(options.exponentialBackoff) : ctx.defaultBackoff;
  return {
    taskToExecute: { $case: 'taskDefId', value: { name: task.name } },
    timeoutSeconds: options.timeoutSeconds ?? ctx.defaultTimeoutSeconds ?? 0,
    retries: options.retries ?? ctx.defaultRetries,
    ...(backoff !== undefined ? { exponentialBackoff: backoff } : {}),
    variables,
  };
}
