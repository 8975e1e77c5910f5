import { UTActionTrigger_UTHook, type UserTaskNode, type UTActionTrigger, type VariableAssignment } from '@filly/proto';
import type { TaskDefinition, TaskInputSpec, TaskOutputSpec } from '../worker/task-definition.ts';
import type { ThreadInternals } from './compile-context.ts';
import { assignmentOf, type Assignable, type ValueSource } from './expression.ts';
import { NodeOutput } from './node-output.ts';
import { buildTaskNode, type ExecuteArgs } from './task-nodes.ts';

/** A STR literal or a workflow value that evaluates to one. */
export type StrValue = string | ValueSource<'STR'> | ValueSource<'ANY'>;

/** Bound on action triggers per USER_TASK node. */
const MAX_USER_TASK_ACTIONS = 100;

/** Output of a USER_TASK node: the submitted results, a JSON_OBJ keyed by field name. */
export class UserTaskOutput extends NodeOutput<'JSON_OBJ'> {
  readonly userTaskDefName: string;
  readonly #t: ThreadInternals;

  /** @internal */
  constructor(nodeName: string, userTaskDefName: string, t: ThreadInternals) {
    super(nodeName, 'JSON_OBJ', t.access);
    this.userTaskDefName = userTaskDefName;
    this.#t = t;
  }

  /** Notes shown with the UserTaskRun. */
  withNotes(notes: StrValue): this {
    userTaskNodeOf(this.#t, this.nodeName).notes = assignmentOf(notes, 'STR');
    return this;
  }

  /** The business exception thrown (instead of an ERROR) when the UserTaskRun is cancelled. */
  withOnCancellationException(exceptionName: StrValue): this {
    userTaskNodeOf(this.#t, this.nodeName).onCancellationExceptionName = assignmentOf(exceptionName, 'STR');
    return this;
  }
}

function userTaskNodeOf(t: ThreadInternals, nodeName: string): UserTaskNode {
  t.assertActive();
  const n = t.graph.node(nodeName).node;
  if (n?.$case !== 'userTask') throw new Error(`${nodeName} is not a USER_TASK node`);
  return n.value;
}

function blank(v: unknown): boolean {
  return typeof v === 'string' && v.trim().length === 0;
}

export function assignUserTask(
  t: ThreadInternals,
  userTaskDefName: string,
  userId: StrValue | null | undefined,
  userGroup: StrValue | null | undefined,
): UserTaskOutput {
  t.assertActive();
  if (userTaskDefName.length === 0) throw new Error('a UserTaskDef name must not be empty');
  if (blank(userId)) throw new Error("userId can't be empty");
  if (blank(userGroup)) throw new Error("userGroup can't be empty");
  const node: UserTaskNode = { userTaskDefName, actions: [] };
  if (userId !== undefined && userId !== null) node.userId = assignmentOf(userId, 'STR');
  if (userGroup !== undefined && userGroup !== null) node.userGroup = assignmentOf(userGroup, 'STR');
  const nodeName = t.graph.addNode(userTaskDefName, { $case: 'userTask', value: node });
  return new UserTaskOutput(nodeName, userTaskDefName, t);
}

/**
 * Actions can only be added while the USER_TASK node is still the last one (as in
 * upstream), so that they are read next to the node they belong to.
 */
function addAction(t: ThreadInternals, ut: UserTaskOutput, action: UTActionTrigger): UserTaskNode {
  t.assertActive();
  if (t.graph.lastNodeName !== ut.nodeName) throw new Error('tried to edit a stale User Task node: add actions right after assignUserTask()');
  const node = userTaskNodeOf(t, ut.nodeName);
  if (node.actions.length >= MAX_USER_TASK_ACTIONS) throw new Error(`at most ${MAX_USER_TASK_ACTIONS} actions per user task`);
  node.actions.push(action);
  return node;
}

/** After `deadlineSeconds` assigned to a user, the task goes back to the node's user group. */
export function releaseToGroupOnDeadline(t: ThreadInternals, ut: UserTaskOutput, deadlineSeconds: Assignable<'INT'>): void {
  const node = userTaskNodeOf(t, ut.nodeName);
  if (node.userId === undefined) throw new Error('the User Task is not assigned to any user');
  if (node.userGroup === undefined) throw new Error('the User Task is assigned to a user without a group');
  addAction(t, ut, {
    action: { $case: 'reassign', value: { userGroup: node.userGroup } },
    delaySeconds: assignmentOf(deadlineSeconds, 'INT'),
    hook: UTActionTrigger_UTHook.ON_TASK_ASSIGNED,
  });
}

/** After `deadlineSeconds` assigned, the task is reassigned to another user and/or group. */
export function reassignUserTask(
  t: ThreadInternals,
  ut: UserTaskOutput,
  userId: StrValue | null | undefined,
  userGroup: StrValue | null | undefined,
  deadlineSeconds: Assignable<'INT'>,
): void {
  const hasUser = userId !== undefined && userId !== null;
  const hasGroup = userGroup !== undefined && userGroup !== null;
  if (!hasUser && !hasGroup) throw new Error('reassignUserTask needs a userId or a userGroup');
  // Upstream's builder always sets user_id, to a NULL literal when no user is given.
  const reassign: { userId: VariableAssignment; userGroup?: VariableAssignment } = {
    userId: hasUser ? assignmentOf(userId, 'STR') : { source: { $case: 'literalValue', value: {} } },
  };
  if (hasGroup) reassign.userGroup = assignmentOf(userGroup, 'STR');
  addAction(t, ut, {
    action: { $case: 'reassign', value: reassign },
    delaySeconds: assignmentOf(deadlineSeconds, 'INT'),
    hook: UTActionTrigger_UTHook.ON_TASK_ASSIGNED,
  });
}

/** Runs `task` `delaySeconds` after the task arrives (ON_ARRIVAL) or is assigned (ON_TASK_ASSIGNED). */
export function scheduleReminderTask<I extends TaskInputSpec, O extends TaskOutputSpec>(
  t: ThreadInternals,
  ut: UserTaskOutput,
  delaySeconds: Assignable<'INT'>,
  task: TaskDefinition<I, O>,
  args: ExecuteArgs<I>,
  hook: UTActionTrigger_UTHook,
): void {
  const delay = assignmentOf(delaySeconds, 'INT');
  const taskNode = buildTaskNode(t.ctx, task, args);
  addAction(t, ut, { action: { $case: 'task', value: { task: taskNode, mutations: [] } }, delaySeconds: delay, hook });
}

/** Cancels the UserTaskRun `delaySeconds` after it arrives or is assigned. */
export function cancelUserTaskRunAfter(t: ThreadInternals, ut: UserTaskOutput, delaySeconds: Assignable<'INT'>, hook: UTActionTrigger_UTHook): void {
  addAction(t, ut, { action: { $case: 'cancel', value: {} }, delaySeconds: assignmentOf(delaySeconds, 'INT'), hook });
}
