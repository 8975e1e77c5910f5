import {
  LHErrorType,
  TaskStatus,
  type LHTaskError,
  type ReportTaskRun,
  type ScheduledTask,
  type VariableValue,
} from '@filly/proto';
import {
  dateToTimestamp,
  fromVariableValue,
  inferVariableValue,
  nullVariableValue,
  toVariableValue,
} from '../common/variable-value.ts';
import type { VarTypeName } from '../common/variable-types.ts';
import type { TaskDefinition } from './task-definition.ts';
import { LHTaskException } from './task-exception.ts';
import { WorkerContext } from './worker-context.ts';

const MAX_ERROR_MESSAGE_CHARS = 8 * 1024;

/**
 * Runs one scheduled task attempt and builds its report. Never throws: every outcome,
 * including bad inputs and unconvertible outputs, becomes a ReportTaskRun.
 */
export async function executeTask(
  task: TaskDefinition,
  scheduled: ScheduledTask,
  taskWorkerId: string,
  nowMs: () => number = Date.now,
): Promise<ReportTaskRun> {
  let ctx: WorkerContext;
  try {
    ctx = new WorkerContext(scheduled, taskWorkerId);
  } catch (err) {
    return report(scheduled, nowMs, TaskStatus.TASK_INPUT_VAR_SUB_ERROR, undefined, {
      $case: 'error',
      value: lhError(LHErrorType.VAR_SUB_ERROR, err),
    });
  }

  let args: Record<string, unknown>;
  try {
    args = decodeArgs(task, scheduled);
  } catch (err) {
    return report(scheduled, nowMs, TaskStatus.TASK_INPUT_VAR_SUB_ERROR, ctx, {
      $case: 'error',
      value: lhError(LHErrorType.VAR_SUB_ERROR, err),
    });
  }

  let result: unknown;
  try {
    // The handler's parameter type is derived from task.input; args was decoded from the
    // same declaration, so this widening is sound.
    result = await (task.handler as (a: Record<string, unknown>, c: WorkerContext) => unknown)(args, ctx);
  } catch (err) {
    if (err instanceof LHTaskException) {
      let content: VariableValue;
      try {
        content = inferVariableValue(err.content);
      } catch {
        content = nullVariableValue();
      }
      return report(scheduled, nowMs, TaskStatus.TASK_EXCEPTION, ctx, {
        $case: 'exception',
        value: { name: err.exceptionName, message: truncate(err.message), content },
      });
    }
    return report(scheduled, nowMs, TaskStatus.TASK_FAILED, ctx, {
      $case: 'error',
      value: lhError(LHErrorType.TASK_FAILURE, err),
    });
  }

  let output: VariableValue;
  try {
    output = task.output !== undefined ? toVariableValue(result as never, task.output) : nullVariableValue();
  } catch (err) {
    return report(scheduled, nowMs, TaskStatus.TASK_OUTPUT_SERDE_ERROR, ctx, {
      $case: 'error',
      value: lhError(LHErrorType.VAR_MUTATION_ERROR, err),
    });
  }
  return report(scheduled, nowMs, TaskStatus.TASK_SUCCESS, ctx, { $case: 'output', value: output });
}

/** A failure report for an attempt the worker gives up on (e.g. stop() timed out). */
export function abandonedReport(scheduled: ScheduledTask, reason: string, nowMs: () => number = Date.now): ReportTaskRun {
  return report(scheduled, nowMs, TaskStatus.TASK_FAILED, undefined, {
    $case: 'error',
    value: { type: LHErrorType.TASK_FAILURE, message: reason },
  });
}

function decodeArgs(task: TaskDefinition, scheduled: ScheduledTask): Record<string, unknown> {
  const byName = new Map(scheduled.variables.map((v) => [v.varName, v.value]));
  const args: Record<string, unknown> = {};
  for (const name of task.inputNames) {
    if (!byName.has(name)) throw new Error(`input "${name}" is missing from the scheduled task`);
    const type = task.input[name] as VarTypeName;
    try {
      args[name] = fromVariableValue(byName.get(name), type);
    } catch (err) {
      throw new Error(`input "${name}": ${(err as Error).message}`);
    }
  }
  return args;
}

function report(
  scheduled: ScheduledTask,
  nowMs: () => number,
  status: TaskStatus,
  ctx: WorkerContext | undefined,
  result: ReportTaskRun['result'],
): ReportTaskRun {
  const log = ctx?.logOutput ?? '';
  return {
    taskRunId: scheduled.taskRunId,
    time: dateToTimestamp(new Date(nowMs())),
    status,
    attemptNumber: scheduled.attemptNumber,
    result,
    logOutput: log !== '' ? { value: { $case: 'str', value: log } } : undefined,
    totalCheckpoints: scheduled.totalObservedCheckpoints,
  };
}

function lhError(type: LHErrorType, err: unknown): LHTaskError {
  const message = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  return { type, message: truncate(message) };
}

function truncate(s: string): string {
  return s.length > MAX_ERROR_MESSAGE_CHARS ? s.slice(0, MAX_ERROR_MESSAGE_CHARS) : s;
}
