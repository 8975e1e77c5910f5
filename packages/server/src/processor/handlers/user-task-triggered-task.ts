// UserTaskTriggeredTask (timer): a reminder TASK action came due. If the USER_TASK NodeRun is still
// RUNNING, a TaskRun (source: user_task_trigger, carrying the run's current user and group) is
// queued for workers like any other, and the UserTaskRun logs it. Inputs that cannot be computed
// skip the reminder; the WfRun carries on, as upstream.
import { LHStatus, Node, type TaskDef, type VarNameAndVal } from '@filly/proto';
import type { UserTaskTriggeredTask } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { Records } from '../records.ts';
import { VarSubError } from '../values/errors.ts';
import { NodeFailure } from '../wf-run/failures.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { resolveInputs, resolveTaskDef } from '../node-runs/task.ts';
import { dispatchLatestAttempt, newTaskRun, taskRunKeyOf } from '../node-runs/task-runs.ts';
import { addEvent, scopeOf } from '../user-tasks/user-task-runs.ts';

export function userTaskTriggeredTask(ctx: ProcessorContext, req: UserTaskTriggeredTask): HandlerResult {
  const source = req.source;
  const taskNode = req.task;
  if (source?.wfRunId === undefined || taskNode === undefined) return undefined;
  const rt = RunRuntime.load(ctx, source.wfRunId);
  const thread = rt?.thread(source.threadRunNumber);
  if (rt === undefined || thread === undefined) return undefined;
  const nodeRun = rt.nodeRunAt(thread, source.position);
  if (nodeRun?.status !== LHStatus.RUNNING || nodeRun.nodeType?.$case !== 'userTask') return undefined;
  const utrId = nodeRun.nodeType.value.userTaskRunId;
  const scope = utrId === undefined ? undefined : scopeOf(rt, utrId);
  if (scope === undefined) return undefined;
  const { utr } = scope;

  const asNode = Node.fromPartial({ node: { $case: 'task', value: taskNode } });
  let taskDef: TaskDef;
  let inputs: VarNameAndVal[];
  try {
    taskDef = resolveTaskDef(rt, thread, asNode);
    inputs = resolveInputs(rt, thread, asNode, taskDef);
  } catch (err) {
    if (err instanceof NodeFailure || err instanceof VarSubError) return undefined;
    throw err;
  }
  if (taskDef.id === undefined) throw new Error(`TaskDef ${taskNode.taskToExecute?.$case ?? ''} without id`);
  const eventNumber = utr.events.length;
  // Upstream's id scheme: unique per (NodeRun, event), so one reminder per event number.
  const id = { wfRunId: rt.wfRunId, taskGuid: `ut-${source.threadRunNumber}-${source.position}-${eventNumber}` };
  const taskRun = newTaskRun(
    id,
    taskDef.id,
    inputs,
    {
      taskRunSource: {
        $case: 'userTaskTrigger',
        value: { nodeRunId: source, userTaskEventNumber: eventNumber, userId: utr.userId, userGroup: utr.userGroup },
      },
      wfSpecId: nodeRun.wfSpecId,
    },
    ctx.nowMs,
    taskNode,
  );
  dispatchLatestAttempt(ctx, taskRun);
  rt.put(Records.taskRun, taskRunKeyOf(ctx, id), taskRun);
  addEvent(utr, ctx.nowMs, { $case: 'taskExecuted', value: { taskRun: id } });
  rt.flush();
  return undefined;
}
