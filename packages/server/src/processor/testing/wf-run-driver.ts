// Drives WfRuns through a FakeWorld the way ingress, workers and the timer service would: each
// call is one command applied with applyCommand and committed. For runtime unit tests.
import {
  ExternalEvent,
  NodeRun,
  ScheduledTask,
  TaskStatus,
  WfRun,
  type LHTaskException,
  type TaskRun,
  type Variable,
  type VariableValue,
  type WfRunId,
} from '@filly/proto';
import { applyCommand } from '../apply.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import type { FakeWorld } from './fake-context.ts';

export class WfRunDriver {
  readonly world: FakeWorld;
  readonly wfRunId: WfRunId;

  constructor(world: FakeWorld, id: string) {
    this.world = world;
    this.wfRunId = { id };
  }

  run(wfSpecName: string, variables: Record<string, VariableValue> = {}): WfRun {
    const bytes = this.world.exec(applyCommand, { $case: 'runWf', value: { wfSpecName, variables, id: this.wfRunId.id } });
    if (bytes === undefined) throw new Error('RunWf answered nothing');
    return WfRun.decode(bytes);
  }

  wfRun(): WfRun | undefined {
    return this.world.get(Records.wfRun, keys.wfRunKey(this.world.partition, this.world.tenant, this.wfRunId));
  }

  mustWfRun(): WfRun {
    const w = this.wfRun();
    if (w === undefined) throw new Error('WfRun missing');
    return w;
  }

  nodeRun(position: number, thread = 0): NodeRun | undefined {
    return this.world.get(
      Records.nodeRun,
      keys.nodeRunKey(this.world.partition, this.world.tenant, { wfRunId: this.wfRunId, threadRunNumber: thread, position }),
    );
  }

  nodeRuns(thread = 0): NodeRun[] {
    return this.world
      .scan(Records.nodeRun, keys.nodeRunPrefix(this.world.partition, this.world.tenant, this.wfRunId, thread))
      .map((r) => r.value);
  }

  taskRuns(): TaskRun[] {
    const all = this.world.scan(Records.taskRun, keys.taskRunPrefix(this.world.partition, this.world.tenant, this.wfRunId));
    // Key order is by guid; order by the NodeRun that created them instead, as a reader expects.
    return all
      .map((r) => r.value)
      .sort((x, y) => positionOf(x) - positionOf(y));
  }

  taskRunOfNode(position: number): TaskRun {
    const nr = this.nodeRun(position);
    const id = nr?.nodeType?.$case === 'task' ? nr.nodeType.value.taskRunId : undefined;
    if (id === undefined) throw new Error(`no TaskRun at position ${position}`);
    const tr = this.world.get(Records.taskRun, keys.taskRunKey(this.world.partition, this.world.tenant, id));
    if (tr === undefined) throw new Error('TaskRun record missing');
    return tr;
  }

  variable(name: string, thread = 0): Variable | undefined {
    return this.world.get(
      Records.variable,
      keys.variableKey(this.world.partition, this.world.tenant, { wfRunId: this.wfRunId, threadRunNumber: thread, name }),
    );
  }

  /** The queued ScheduledTask of this WfRun, if exactly one is queued. */
  queuedTask(): ScheduledTask | undefined {
    const mine = this.world.queuedTasks().filter((t) => t.taskRunId?.wfRunId?.id === this.wfRunId.id);
    if (mine.length > 1) throw new Error(`${mine.length} tasks queued`);
    return mine[0];
  }

  claim(task: ScheduledTask, workerId = 'worker-1'): ScheduledTask {
    const bytes = this.world.exec(applyCommand, {
      $case: 'taskClaimEvent',
      value: { taskRunId: task.taskRunId, taskWorkerId: workerId, taskWorkerVersion: undefined },
    });
    if (bytes === undefined) throw new Error('claim answered nothing');
    return ScheduledTask.decode(bytes);
  }

  report(task: ScheduledTask, status: TaskStatus, result?: { output?: VariableValue; exception?: LHTaskException }): void {
    this.world.exec(applyCommand, {
      $case: 'reportTaskRun',
      value: {
        taskRunId: task.taskRunId,
        time: undefined,
        status,
        attemptNumber: task.attemptNumber,
        result:
          result?.exception !== undefined
            ? { $case: 'exception', value: result.exception }
            : result?.output !== undefined
              ? { $case: 'output', value: result.output }
              : status === TaskStatus.TASK_FAILED
                ? { $case: 'error', value: { type: 5, message: 'boom' } }
                : undefined,
        logOutput: undefined,
        totalCheckpoints: 0,
      },
    });
  }

  /** Claims the queued task and reports it successful with `output`. */
  succeedNext(output?: VariableValue): ScheduledTask {
    const queued = this.queuedTask();
    if (queued === undefined) throw new Error('no task queued');
    const claimed = this.claim(queued);
    this.report(claimed, TaskStatus.TASK_SUCCESS, { output });
    return claimed;
  }

  putEvent(defName: string, content: VariableValue, guid: string, opts: { threadRunNumber?: number; nodeRunPosition?: number } = {}): ExternalEvent {
    const bytes = this.world.exec(applyCommand, {
      $case: 'putExternalEvent',
      value: { wfRunId: this.wfRunId, externalEventDefId: { name: defName }, guid, content, ...opts },
    });
    if (bytes === undefined) throw new Error('PutExternalEvent answered nothing');
    return ExternalEvent.decode(bytes);
  }

  stop(): void {
    this.world.exec(applyCommand, { $case: 'stopWfRun', value: { wfRunId: this.wfRunId, threadRunNumber: 0 } });
  }

  resume(): void {
    this.world.exec(applyCommand, { $case: 'resumeWfRun', value: { wfRunId: this.wfRunId, threadRunNumber: 0 } });
  }

  delete(): void {
    this.world.exec(applyCommand, { $case: 'deleteWfRun', value: { id: this.wfRunId } });
  }

  /** Fires every timer due by `untilMs`, in due order. */
  fireTimersUntil(untilMs: number): number {
    return this.world.fireTimersUntil(applyCommand, untilMs);
  }
}

function positionOf(tr: TaskRun): number {
  const src = tr.source?.taskRunSource;
  return src?.$case === 'taskNode' ? (src.value.nodeRunId?.position ?? 0) : 0;
}
