// UserTaskNode actions (UTActionTrigger): a REASSIGN, a reminder TASK or a CANCEL that comes due
// delay_seconds after a hook (the node's arrival, or the task being assigned to a new user).
// Each is armed as a timer carrying its own command, so it fires exactly once, and its handler
// re-checks that the action still applies (the run may have ended or moved on meanwhile).
import { UTActionTrigger_UTHook, type UTActionTrigger } from '@filly/proto';
import { VarSubError } from '../values/errors.ts';
import { kindOf } from '../values/types.ts';
import { assign } from '../wf-run/assign.ts';
import type { UserTaskScope } from './user-task-runs.ts';

/** Longest delay an action may ask for (about 100 years), so due times stay safe integers. */
const MAX_DELAY_SECONDS = 3_153_600_000n;

/** Arms every action of `hook`. Throws VarSubError when a delay cannot be computed. */
export function armActions(scope: UserTaskScope, hook: UTActionTrigger_UTHook): void {
  for (const action of scope.node.actions) {
    if (action.hook === hook) armAction(scope, action);
  }
}

/** Arms the ON_TASK_ASSIGNED actions, ignoring ones that cannot be computed, as upstream does. */
export function armAssignmentActionsLeniently(scope: UserTaskScope): void {
  for (const action of scope.node.actions) {
    if (action.hook !== UTActionTrigger_UTHook.ON_TASK_ASSIGNED) continue;
    try {
      armAction(scope, action);
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
    }
  }
}

function armAction(scope: UserTaskScope, action: UTActionTrigger): void {
  const { rt, utr, nodeRun } = scope;
  const dueMs = rt.nowMs + delayMs(scope, action);
  const what = action.action;
  switch (what?.$case) {
    case 'task':
      rt.ctx.scheduleTimer(dueMs, {
        $case: 'userTaskTriggeredTask',
        value: { source: nodeRun.id, task: what.value.task },
      });
      return;
    case 'reassign':
      rt.ctx.scheduleTimer(dueMs, {
        $case: 'userTaskDeadlineReassign',
        value: { userTaskRunId: utr.id, newUserId: what.value.userId, newUserGroup: what.value.userGroup, epoch: utr.epoch },
      });
      return;
    case 'cancel':
      rt.ctx.scheduleTimer(dueMs, { $case: 'userTaskDeadlineCancel', value: { userTaskRunId: utr.id } });
      return;
    case undefined:
      return;
  }
}

function delayMs(scope: UserTaskScope, action: UTActionTrigger): number {
  if (action.delaySeconds === undefined) throw new VarSubError('User Task Action has no delay_seconds');
  const v = assign(scope.rt, scope.thread, action.delaySeconds);
  if (v.value?.$case !== 'int') throw new VarSubError(`Delay for User Task Action was not an INT, got a ${kindOf(v)}`);
  const seconds = v.value.value;
  if (seconds > MAX_DELAY_SECONDS) throw new VarSubError(`Delay for User Task Action is too long: ${seconds} seconds`);
  // A negative delay is in the past: the action is due at once, as upstream's timer would be.
  return seconds < 0n ? 0 : Number(seconds) * 1000;
}
