// PutWfSpec checks of a USER_TASK node: the UserTaskDef it names exists (at the pinned version, or
// any version when none is pinned), it is assigned to a user or a group (a literal may not be
// blank), and its expressions and actions are well formed. Also pins user_task_def_version to the
// newest version when the request leaves it out, as upstream does.
import { UTActionTrigger_UTHook, VariableType } from '@filly/proto';
import type { UserTaskDef, UserTaskNode, VariableAssignment, WfSpec } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { checkAssignment, checkAssignmentOfType, checkMutation } from '../wf-spec/assignments.ts';
import { checkNodeContent, type NodeCheckEnv } from '../wf-spec/node-checks.ts';

/** Reads UserTaskDefs: a given version, or the newest when `version` is undefined. */
export type UserTaskDefLookup = (name: string, version: number | undefined) => UserTaskDef | undefined;

export function checkUserTaskNode(utn: UserTaskNode, env: NodeCheckEnv, lookup: UserTaskDefLookup | undefined, label: string): void {
  const name = utn.userTaskDefName;
  if (!name) throw invalidArgument(`${label}: USER_TASK node names no UserTaskDef.`);
  const version = utn.userTaskDefVersion;
  if (lookup?.(name, version) === undefined) {
    const which = version === undefined ? '' : ` version ${version}`;
    throw invalidArgument(`${label}: refers to UserTaskDef '${name}'${which}, which does not exist.`);
  }
  if (utn.userId === undefined && utn.userGroup === undefined) {
    throw invalidArgument(`${label}: a USER_TASK node must specify user_group or user_id.`);
  }
  if (isBlankLiteral(utn.userId)) throw invalidArgument(`${label}: user_id can't be empty.`);
  if (isBlankLiteral(utn.userGroup)) throw invalidArgument(`${label}: user_group can't be empty.`);
  if (utn.userId !== undefined) checkAssignment(utn.userId, env.scope, `${label} user_id`);
  if (utn.userGroup !== undefined) checkAssignment(utn.userGroup, env.scope, `${label} user_group`);
  if (utn.notes !== undefined) checkAssignment(utn.notes, env.scope, `${label} notes`);
  if (utn.onCancellationExceptionName !== undefined) {
    checkAssignment(utn.onCancellationExceptionName, env.scope, `${label} on_cancellation_exception_name`);
  }
  utn.actions.forEach((action, i) => {
    const where = `${label} action ${i}`;
    if (action.hook !== UTActionTrigger_UTHook.ON_ARRIVAL && action.hook !== UTActionTrigger_UTHook.ON_TASK_ASSIGNED) {
      throw invalidArgument(`${where}: unknown hook ${action.hook}; use ON_ARRIVAL or ON_TASK_ASSIGNED.`);
    }
    if (action.delaySeconds === undefined) throw invalidArgument(`${where}: delay_seconds is required.`);
    checkAssignmentOfType(action.delaySeconds, [VariableType.INT], env.scope, `${where} delay_seconds`);
    const what = action.action;
    switch (what?.$case) {
      case undefined:
        throw invalidArgument(`${where}: names no action (task, cancel or reassign).`);
      case 'task': {
        if (what.value.task === undefined) throw invalidArgument(`${where}: the TASK action has no task.`);
        checkNodeContent({ node: { $case: 'task', value: what.value.task }, outgoingEdges: [], failureHandlers: [] }, env, `${where} task`);
        what.value.mutations.forEach((m, j) => checkMutation(m, env.scope, `${where} mutation ${j}`));
        return;
      }
      case 'reassign': {
        const { userId, userGroup } = what.value;
        if (userId === undefined && userGroup === undefined) {
          throw invalidArgument(`${where}: a REASSIGN action must name a user_id or a user_group.`);
        }
        if (userId !== undefined) checkAssignment(userId, env.scope, `${where} user_id`);
        if (userGroup !== undefined) checkAssignment(userGroup, env.scope, `${where} user_group`);
        return;
      }
      case 'cancel':
        return;
    }
  });
}

function isBlankLiteral(a: VariableAssignment | undefined): boolean {
  const lit = a?.source?.$case === 'literalValue' ? a.source.value.value : undefined;
  return lit?.$case === 'str' && lit.value.trim() === '';
}

/** Pins every USER_TASK node without a version to the newest UserTaskDef (after validation). */
export function pinUserTaskDefVersions(spec: WfSpec, lookup: UserTaskDefLookup): void {
  for (const threadName of Object.keys(spec.threadSpecs).sort()) {
    const thread = spec.threadSpecs[threadName];
    if (thread === undefined) continue;
    for (const nodeName of Object.keys(thread.nodes).sort()) {
      const n = thread.nodes[nodeName]?.node;
      if (n?.$case !== 'userTask' || n.value.userTaskDefVersion !== undefined) continue;
      const def = lookup(n.value.userTaskDefName, undefined);
      if (def === undefined) throw new Error(`UserTaskDef ${n.value.userTaskDefName} vanished during PutWfSpec`);
      n.value.userTaskDefVersion = def.version;
    }
  }
}
