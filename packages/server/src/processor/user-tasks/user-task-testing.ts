// Helpers for user-task unit tests: a UserTaskDef, USER_TASK nodes, and commands on UserTaskRuns.
import { UserTaskRun, UTActionTrigger_UTHook, type Node, type TaskNode, type UTActionTrigger, type UserTaskField, type UserTaskNode, type UserTaskRunId, type VariableType } from '@filly/proto';
import { applyCommand } from '../apply.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import type { CommandBody, FakeWorld } from '../testing/fake-context.ts';
import { a, v } from '../testing/wf-spec-builder.ts';

export function field(name: string, type: VariableType, required = false): UserTaskField {
  return { name, type, displayName: name, required, description: undefined };
}

export function putDef(world: FakeWorld, name: string, fields: UserTaskField[]): void {
  world.exec(applyCommand, { $case: 'putUserTaskDef', value: { name, fields } });
}

export function userTaskNode(defName: string, opts: Partial<UserTaskNode> = {}): Partial<Node> {
  return { node: { $case: 'userTask', value: { userTaskDefName: defName, actions: [], ...opts } } };
}

export function reassignAfter(seconds: number, to: { userId?: string; userGroup?: string }, hook = UTActionTrigger_UTHook.ON_ARRIVAL): UTActionTrigger {
  return {
    action: {
      $case: 'reassign',
      value: {
        userId: to.userId === undefined ? undefined : a.lit(v.str(to.userId)),
        userGroup: to.userGroup === undefined ? undefined : a.lit(v.str(to.userGroup)),
      },
    },
    delaySeconds: a.lit(v.int(seconds)),
    hook,
  };
}

export function reminderAfter(seconds: number, taskDefName: string, hook = UTActionTrigger_UTHook.ON_ARRIVAL): UTActionTrigger {
  const task: TaskNode = { taskToExecute: { $case: 'taskDefId', value: { name: taskDefName } }, timeoutSeconds: 0, retries: 0, variables: [] };
  return { action: { $case: 'task', value: { task, mutations: [] } }, delaySeconds: a.lit(v.int(seconds)), hook };
}

export function cancelAfter(seconds: number): UTActionTrigger {
  return { action: { $case: 'cancel', value: {} }, delaySeconds: a.lit(v.int(seconds)), hook: UTActionTrigger_UTHook.ON_ARRIVAL };
}

export function utrId(wfRunId: string, guid = '0-1'): UserTaskRunId {
  return { wfRunId: { id: wfRunId }, userTaskGuid: guid };
}

export function readUtr(world: FakeWorld, id: UserTaskRunId): UserTaskRun | undefined {
  return world.get(Records.userTaskRun, keys.userTaskRunKey(world.partition, world.tenant, id));
}

/** Runs a command and decodes its UserTaskRun answer when there is one. */
export function exec(world: FakeWorld, body: CommandBody): UserTaskRun | undefined {
  const out = world.exec(applyCommand, body);
  return out === undefined || out.length === 0 ? undefined : UserTaskRun.decode(out);
}
