// The TaskRun lifecycle: attempts are scheduled, claimed by a worker, reported (or time out), and
// retried while the TaskNode allows it. A TaskRun's status is always its latest attempt's status.
import {
  LHErrorType,
  ScheduledTask,
  TaskStatus,
  type ReportTaskRun,
  type TaskAttempt,
  type TaskDefId,
  type TaskNode,
  type TaskRun,
  type TaskRunId,
  type TaskRunSource,
  type VarNameAndVal,
} from '@filly/proto';
import type { ProcessorContext } from '../context.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { taskDefByName } from '../metadata-reads.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { checkAgainstType } from '../wf-run/type-check.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';
import { ErrorName, newFailure } from '../wf-run/failures.ts';
import type { Failure } from '@filly/proto';

export const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

export function taskRunKeyOf(ctx: ProcessorContext, id: TaskRunId): string {
  return keys.taskRunKey(ctx.partition, ctx.tenant, id);
}

export function latestAttempt(taskRun: TaskRun): TaskAttempt {
  const last = taskRun.attempts[taskRun.attempts.length - 1];
  if (last === undefined) throw new Error('TaskRun without attempts');
  return last;
}

/** Still owes the NodeRun a result: an attempt is queued, running, or waiting for its backoff. */
export function isTaskRunStillRunning(taskRun: TaskRun): boolean {
  const s = latestAttempt(taskRun).status;
  return s === TaskStatus.TASK_SCHEDULED || s === TaskStatus.TASK_RUNNING || s === TaskStatus.TASK_PENDING;
}

export function newPendingAttempt(): TaskAttempt {
  return { taskWorkerId: '', status: TaskStatus.TASK_PENDING, maskedValue: false };
}

/** A TaskRun with its first attempt pending, its timeout and retries taken from the TaskNode. */
export function newTaskRun(
  id: TaskRunId,
  taskDefId: TaskDefId,
  inputVariables: VarNameAndVal[],
  source: TaskRunSource,
  nowMs: number,
  taskNode: TaskNode,
): TaskRun {
  return {
    id,
    taskDefId,
    attempts: [newPendingAttempt()],
    inputVariables,
    source,
    scheduledAt: tsFromMs(nowMs),
    status: TaskStatus.TASK_PENDING,
    timeoutSeconds: taskNode.timeoutSeconds > 0 ? taskNode.timeoutSeconds : DEFAULT_TASK_TIMEOUT_SECONDS,
    totalAttempts: 1 + Math.max(0, taskNode.retries),
    exponentialBackoff: taskNode.exponentialBackoff,
    totalCheckpoints: 0,
  };
}

/** The ScheduledTask a worker receives for the latest attempt (real, unmasked input values). */
export function scheduledTaskFor(taskRun: TaskRun): ScheduledTask {
  const attempt = latestAttempt(taskRun);
  return ScheduledTask.fromPartial({
    taskRunId: taskRun.id,
    taskDefId: taskRun.taskDefId,
    attemptNumber: taskRun.attempts.length - 1,
    variables: taskRun.inputVariables,
    createdAt: attempt.scheduleTime,
    source: taskRun.source,
    totalObservedCheckpoints: taskRun.totalCheckpoints,
  });
}

/** Moves the latest (PENDING) attempt to SCHEDULED and queues it for a worker. */
export function dispatchLatestAttempt(ctx: ProcessorContext, taskRun: TaskRun): void {
  const attempt = latestAttempt(taskRun);
  if (attempt.status !== TaskStatus.TASK_PENDING) throw new Error('only a PENDING attempt can be scheduled');
  attempt.status = TaskStatus.TASK_SCHEDULED;
  attempt.scheduleTime = tsFromMs(ctx.nowMs);
  taskRun.status = attempt.status;
  ctx.scheduleTask(taskDefName(taskRun), scheduledTaskFor(taskRun));
}

/**
 * Arms the timeout of the latest (RUNNING) attempt: at claim, and again at each checkpoint. The
 * timer carries total_checkpoints, so one armed before a later checkpoint is recognised as stale.
 */
export function armAttemptTimeout(ctx: ProcessorContext, taskRun: TaskRun): void {
  disarmAttemptTimeout(ctx, taskRun);
  const timerKey = ctx.scheduleTimer(ctx.nowMs + taskRun.timeoutSeconds * 1000, {
    $case: 'taskAttemptTimeout',
    value: { taskRunId: taskRun.id, attemptNumber: taskRun.attempts.length - 1, totalCheckpoints: taskRun.totalCheckpoints },
  });
  ctx.put(Records.attemptTimerPointer, keys.attemptTimerPointerKey(ctx.partition, ctx.tenant, taskRunIdOf(taskRun)), { timerKey });
}

/**
 * Deletes the timeout timer of the TaskRun's running attempt, if one is armed: an attempt that
 * finished (or re-armed at a checkpoint) would otherwise leave a timer that fires, loads the
 * WfRun and changes nothing. `firedKey`: the timer being fired now (already deleted).
 */
export function disarmAttemptTimeout(ctx: ProcessorContext, taskRun: TaskRun, firedKey?: string): void {
  const pointerKey = keys.attemptTimerPointerKey(ctx.partition, ctx.tenant, taskRunIdOf(taskRun));
  const pointer = ctx.get(Records.attemptTimerPointer, pointerKey);
  if (pointer === undefined) return;
  if (pointer.timerKey !== firedKey) ctx.cancelTimer(pointer.timerKey);
  ctx.delete(pointerKey);
}

function taskRunIdOf(taskRun: TaskRun): TaskRunId {
  if (taskRun.id?.wfRunId === undefined) throw new Error('TaskRun without id');
  return taskRun.id;
}

export function taskDefName(taskRun: TaskRun): string {
  const name = taskRun.taskDefId?.name;
  if (name === undefined) throw new Error('TaskRun without task_def_id');
  return name;
}

/** What a worker (or the timeout timer) reported for one attempt. */
export type AttemptResult = Pick<ReportTaskRun, 'status' | 'result' | 'logOutput'> & { endMs: number };

/**
 * Applies a result to a RUNNING attempt: validates a success's output against the TaskDef's return
 * type, then retries (FAILED/TIMEOUT with attempts left) or settles the TaskRun's status.
 */
export function applyAttemptResult(ctx: ProcessorContext, taskRun: TaskRun, attemptNumber: number, result: AttemptResult): void {
  const attempt = taskRun.attempts[attemptNumber];
  if (attempt === undefined || attempt.status !== TaskStatus.TASK_RUNNING) throw new Error('attempt is not running');
  const returnType = taskDefByName(ctx, ctx.tenant, taskDefName(taskRun))?.returnType?.returnType;
  if (returnType?.masked === true) attempt.maskedValue = true;
  attempt.endTime = tsFromMs(result.endMs);
  attempt.logOutput = result.logOutput;

  const output = result.result?.$case === 'output' ? result.result.value : undefined;
  const outputProblem =
    result.status === TaskStatus.TASK_SUCCESS && returnType !== undefined && output !== undefined
      ? checkAgainstType(output, returnType, structDefLookupOf(ctx, ctx.tenant))
      : undefined;
  if (outputProblem !== undefined) {
    attempt.result = {
      $case: 'error',
      value: { type: LHErrorType.VAR_SUB_ERROR, message: `Task output incompatible with declared return type: ${outputProblem}` },
    };
    attempt.status = TaskStatus.TASK_OUTPUT_SERDE_ERROR;
    taskRun.status = attempt.status;
    return;
  }
  attempt.result = result.result;
  attempt.status = result.status;
  taskRun.status = attempt.status;
  if (result.status !== TaskStatus.TASK_SUCCESS && shouldRetry(taskRun)) scheduleRetry(ctx, taskRun);
}

function shouldRetry(taskRun: TaskRun): boolean {
  const s = latestAttempt(taskRun).status;
  if (s !== TaskStatus.TASK_FAILED && s !== TaskStatus.TASK_TIMEOUT) return false;
  return taskRun.totalAttempts > taskRun.attempts.length;
}

function scheduleRetry(ctx: ProcessorContext, taskRun: TaskRun): void {
  const policy = taskRun.exponentialBackoff;
  if (policy === undefined) {
    taskRun.attempts.push(newPendingAttempt());
    dispatchLatestAttempt(ctx, taskRun);
    return;
  }
  const delayMs = backoffDelayMs(policy.baseIntervalMs, policy.multiplier, Number(policy.maxDelayMs), taskRun.attempts.length);
  taskRun.attempts.push(newPendingAttempt());
  taskRun.status = TaskStatus.TASK_PENDING;
  ctx.scheduleTimer(ctx.nowMs + delayMs, {
    $case: 'taskAttemptRetryReady',
    value: { taskRunId: taskRun.id, attemptNumber: taskRun.attempts.length - 1 },
  });
}

/** Upstream's formula: min(base * multiplier^(attemptsSoFar - 1), maxDelay), truncated to ms. */
export function backoffDelayMs(baseMs: number, multiplier: number, maxDelayMs: number, attemptsSoFar: number): number {
  const raw = Math.floor(baseMs * Math.pow(multiplier, attemptsSoFar - 1));
  const capped = Math.min(Number.isFinite(raw) ? raw : Number.MAX_SAFE_INTEGER, maxDelayMs);
  return Math.max(0, capped);
}

/** The failure a finished, unsuccessful TaskRun puts on its NodeRun. */
export function failureOfTaskRun(taskRun: TaskRun): Failure {
  const attempt = latestAttempt(taskRun);
  switch (attempt.status) {
    case TaskStatus.TASK_EXCEPTION: {
      const exn = attempt.result?.$case === 'exception' ? attempt.result.value : undefined;
      return newFailure(exn?.name ?? 'UNKNOWN_EXCEPTION', exn?.message ?? '', exn?.content);
    }
    case TaskStatus.TASK_FAILED:
      return newFailure(ErrorName.TASK_FAILURE, 'Task execution failed');
    case TaskStatus.TASK_TIMEOUT:
      return newFailure(ErrorName.TIMEOUT, 'Task timed out');
    case TaskStatus.TASK_OUTPUT_SERDE_ERROR:
      return newFailure(ErrorName.VAR_MUTATION_ERROR, 'Failed serializing or deserializing Task Output');
    case TaskStatus.TASK_INPUT_VAR_SUB_ERROR:
      return newFailure(ErrorName.VAR_SUB_ERROR, 'Failed calculating Task Input Variables');
    default:
      throw new Error(`TaskRun in status ${TaskStatus[attempt.status]} has not failed`);
  }
}
