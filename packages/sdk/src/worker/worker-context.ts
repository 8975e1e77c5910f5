import type { NodeRunId, ScheduledTask, TaskRunId, WfRunId } from '@filly/proto';
import { timestampToDate } from '../common/variable-value.ts';

/** Bound on collected log text, so a chatty task cannot make its report unsendable. */
const MAX_LOG_CHARS = 64 * 1024;

/** What a task handler knows about the attempt it is executing. */
export class WorkerContext {
  readonly taskRunId: TaskRunId;
  readonly wfRunId: WfRunId;
  /** The NodeRun that scheduled this task (task node or user-task trigger). */
  readonly nodeRunId: NodeRunId | undefined;
  /** 0-based attempt number. */
  readonly attemptNumber: number;
  /** Stable across retries of the same TaskRun: "<wfRunId>/<taskGuid>". */
  readonly idempotencyKey: string;
  readonly scheduledTime: Date | undefined;
  readonly taskWorkerId: string;
  #log = '';
  #logTruncated = false;

  constructor(task: ScheduledTask, taskWorkerId: string) {
    const taskRunId = task.taskRunId;
    if (taskRunId?.wfRunId === undefined) throw new Error('ScheduledTask has no task_run_id.wf_run_id');
    this.taskRunId = taskRunId;
    this.wfRunId = taskRunId.wfRunId;
    const source = task.source?.taskRunSource;
    this.nodeRunId = source?.value.nodeRunId;
    this.attemptNumber = task.attemptNumber;
    this.idempotencyKey = `${wfRunIdToString(taskRunId.wfRunId)}/${taskRunId.taskGuid}`;
    this.scheduledTime = task.createdAt !== undefined ? timestampToDate(task.createdAt) : undefined;
    this.taskWorkerId = taskWorkerId;
  }

  /** Appends text to the attempt's log_output (visible on the TaskRun). */
  log(message: unknown): void {
    if (this.#logTruncated) return;
    const text = typeof message === 'string' ? message : String(message);
    const room = MAX_LOG_CHARS - this.#log.length;
    if (text.length > room) {
      this.#log += text.slice(0, room);
      this.#logTruncated = true;
      return;
    }
    this.#log += text;
  }

  get logOutput(): string {
    return this.#log;
  }
}

/** Parent ids first, joined with "_", as the upstream SDKs print WfRunIds. */
export function wfRunIdToString(id: WfRunId): string {
  const parts: string[] = [];
  let cur: WfRunId | undefined = id;
  for (let depth = 0; cur !== undefined && depth < 64; depth++) {
    parts.unshift(cur.id);
    cur = cur.parentWfRunId;
  }
  return parts.join('_');
}
