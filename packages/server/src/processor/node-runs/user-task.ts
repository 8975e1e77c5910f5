// USER_TASK: arriving creates a UserTaskRun for a person (or group) to complete, assigned from the
// node's user_id / user_group, and arms the node's ON_ARRIVAL and ON_TASK_ASSIGNED actions. The
// NodeRun completes when the run is DONE (its results are the output) and fails when it is
// cancelled. A halting thread cancels its open UserTaskRun, as upstream does; if the thread is
// resumed, the node then fails with the cancellation failure instead of waiting forever.
import { UTActionTrigger_UTHook, UserTaskRunStatus, type NodeRun, type UserTaskRun } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import { Records } from '../records.ts';
import { VarSubError } from '../values/errors.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { findUserTaskDef } from '../user-tasks/user-task-defs.ts';
import { armActions, armAssignmentActionsLeniently } from '../user-tasks/user-task-actions.ts';
import {
  assignText,
  assignTo,
  cancelUserTaskRun,
  cancellationFailure,
  isUserTaskTerminated,
  takePendingFailure,
  userTaskGuidOf,
  userTaskRunKeyOf,
  USER_TASK_CANCELLED,
  type UserTaskScope,
} from '../user-tasks/user-task-runs.ts';

function subOf(nodeRun: NodeRun) {
  if (nodeRun.nodeType?.$case !== 'userTask') throw new Error('not a USER_TASK NodeRun');
  return nodeRun.nodeType.value;
}

export const userTaskKind: NodeKind = {
  create: () => ({ $case: 'userTask', value: { userTaskRunId: undefined } }),

  arrive(rt, thread, nodeRun, node) {
    if (node.node?.$case !== 'userTask') throw new Error('not a USER_TASK node');
    const utn = node.node.value;
    const def = findUserTaskDef(rt.ctx, rt.ctx.tenant, utn.userTaskDefName, utn.userTaskDefVersion);
    // The UserTaskDef was deleted after the WfSpec was registered.
    if (def === undefined) throw new NodeFailure(newFailure(ErrorName.TASK_ERROR, 'Appears that UserTaskDef was deleted!'));
    const nodeRunId = nodeRun.id;
    if (nodeRunId === undefined) throw new Error('NodeRun without id');
    const id = { wfRunId: rt.wfRunId, userTaskGuid: userTaskGuidOf(thread.number, nodeRunId.position) };
    subOf(nodeRun).userTaskRunId = id;
    const utr: UserTaskRun = {
      id,
      userTaskDefId: { name: def.name, version: def.version },
      userGroup: undefined,
      userId: undefined,
      results: {},
      status: UserTaskRunStatus.UNASSIGNED,
      events: [],
      notes: undefined,
      scheduledTime: tsFromMs(rt.nowMs),
      nodeRunId,
      epoch: 0,
    };
    const scope: UserTaskScope = { rt, utr, nodeRun, thread, node: utn };
    try {
      if (utn.notes !== undefined) utr.notes = assignText(scope, utn.notes);
      const userId = utn.userId === undefined ? undefined : assignText(scope, utn.userId);
      const userGroup = utn.userGroup === undefined ? undefined : assignText(scope, utn.userGroup);
      if (userId === undefined && userGroup === undefined) {
        throw new NodeFailure(newFailure(ErrorName.VAR_ERROR, 'Invalid user task assignment'));
      }
      if (userId !== undefined && userId.trim() === '') {
        throw new NodeFailure(newFailure(ErrorName.VAR_ERROR, "Invalid user task assignment. UserId can't be empty"));
      }
      if (userGroup !== undefined && userGroup.trim() === '') {
        throw new NodeFailure(newFailure(ErrorName.VAR_ERROR, "Invalid group task assignment. UserGroup can't be empty"));
      }
      assignTo(utr, rt.nowMs, userId, userGroup);
      if (userId !== undefined) armAssignmentActionsLeniently(scope);
      armActions(scope, UTActionTrigger_UTHook.ON_ARRIVAL);
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Invalid variables when creating UserTaskRun: ${err.message}`));
    }
    rt.put(Records.userTaskRun, userTaskRunKeyOf(rt.ctx, id), utr);
  },

  checkCompleted(rt, thread, nodeRun, node) {
    const id = subOf(nodeRun).userTaskRunId;
    if (id === undefined) throw new Error(`USER_TASK NodeRun ${nodeRun.nodeName} has no UserTaskRun`);
    const pending = takePendingFailure(rt, id);
    if (pending !== undefined) throw new NodeFailure(pending);
    const utr = rt.get(Records.userTaskRun, userTaskRunKeyOf(rt.ctx, id));
    if (utr === undefined) throw new Error(`UserTaskRun ${id.userTaskGuid} is missing`);
    if (utr.status === UserTaskRunStatus.DONE) return true;
    if (utr.status !== UserTaskRunStatus.CANCELLED) return false;
    if (node.node?.$case !== 'userTask') throw new Error('not a USER_TASK node');
    try {
      throw new NodeFailure(cancellationFailure({ rt, thread, node: node.node.value }));
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(USER_TASK_CANCELLED, 'User task cancelled'));
    }
  },

  canHalt(rt, nodeRun) {
    const id = subOf(nodeRun).userTaskRunId;
    const utr = id === undefined ? undefined : rt.get(Records.userTaskRun, userTaskRunKeyOf(rt.ctx, id));
    if (utr !== undefined && !isUserTaskTerminated(utr)) cancelUserTaskRun(utr, rt.nowMs);
    return true;
  },
};
