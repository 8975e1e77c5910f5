// The UserTaskRun lifecycle shared by the USER_TASK node and the user-task commands: finding a
// run with the NodeRun, thread and node that own it, (re)assigning it, cancelling it, and the
// audit trail of events every change appends.
import { UserTaskRunStatus, type NodeRun, type ThreadRun, type UserTaskEvent, type UserTaskNode, type UserTaskRun, type UserTaskRunId, type VariableAssignment } from '@filly/proto';
import type { ProcessorContext } from '../context.ts';
import { notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { toText } from '../values/to-text.ts';
import { assign } from '../wf-run/assign.ts';
import { ErrorName, newFailure } from '../wf-run/failures.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { isNull } from '../wf-run/variables.ts';
import { VarSubError } from '../values/errors.ts';
import type { Failure } from '@filly/proto';

export const USER_TASK_CANCELLED = 'USER_TASK_CANCELLED';

/** A UserTaskRun with everything that owns it, loaded through one RunRuntime. */
export interface UserTaskScope {
  readonly rt: RunRuntime;
  readonly utr: UserTaskRun;
  readonly nodeRun: NodeRun;
  readonly thread: ThreadRun;
  readonly node: UserTaskNode;
}

export function userTaskRunKeyOf(ctx: ProcessorContext, id: UserTaskRunId): string {
  return keys.userTaskRunKey(ctx.partition, ctx.tenant, id);
}

/** Upstream's UserTaskRun guid: the NodeRun's thread and position, so it is unique per NodeRun. */
export function userTaskGuidOf(threadRunNumber: number, position: number): string {
  return `${threadRunNumber}-${position}`;
}

export function isUserTaskTerminated(utr: UserTaskRun): boolean {
  return utr.status === UserTaskRunStatus.DONE || utr.status === UserTaskRunStatus.CANCELLED;
}

/** The scope of a UserTaskRun already in the runtime's cache (or store); undefined if absent. */
export function scopeOf(rt: RunRuntime, id: UserTaskRunId): UserTaskScope | undefined {
  const utr = rt.get(Records.userTaskRun, userTaskRunKeyOf(rt.ctx, id));
  const nodeRunId = utr?.nodeRunId;
  if (utr === undefined || nodeRunId === undefined) return undefined;
  const thread = rt.thread(nodeRunId.threadRunNumber);
  if (thread === undefined) return undefined;
  const nodeRun = rt.nodeRunAt(thread, nodeRunId.position);
  if (nodeRun === undefined) return undefined;
  const node = rt.node(thread, nodeRun.nodeName).node;
  if (node?.$case !== 'userTask') throw new Error(`UserTaskRun ${id.userTaskGuid} points at a ${node?.$case ?? 'typeless'} node`);
  return { rt, utr, nodeRun, thread, node: node.value };
}

/** Loads the WfRun and the UserTaskRun a request names; NOT_FOUND when either is missing. */
export function mustLoadScope(ctx: ProcessorContext, id: UserTaskRunId | undefined): UserTaskScope {
  const wfRunId = id?.wfRunId;
  if (id === undefined || wfRunId === undefined || id.userTaskGuid === '') throw notFound("Couldn't find the UserTaskRun: no id given.");
  const rt = RunRuntime.load(ctx, wfRunId);
  const scope = rt === undefined ? undefined : scopeOf(rt, id);
  if (scope === undefined) throw notFound(`Couldn't find UserTaskRun ${keys.wfRunIdString(wfRunId)}/${id.userTaskGuid}.`);
  return scope;
}

/** Like mustLoadScope, for timer commands: a WfRun or run deleted since the timer was armed is no error. */
export function loadScope(ctx: ProcessorContext, id: UserTaskRunId | undefined): UserTaskScope | undefined {
  const wfRunId = id?.wfRunId;
  if (id === undefined || wfRunId === undefined) return undefined;
  const rt = RunRuntime.load(ctx, wfRunId);
  return rt === undefined ? undefined : scopeOf(rt, id);
}

export function addEvent(utr: UserTaskRun, nowMs: number, event: UserTaskEvent['event']): void {
  utr.events.push({ time: tsFromMs(nowMs), event });
}

/**
 * Moves ownership. Every change bumps the epoch, which disarms pending REASSIGN actions armed
 * before it; the status follows the user (ASSIGNED) or its absence (UNASSIGNED).
 */
export function assignTo(utr: UserTaskRun, nowMs: number, userId: string | undefined, userGroup: string | undefined): void {
  const oldUserId = utr.userId;
  const oldUserGroup = utr.userGroup;
  utr.userId = userId;
  utr.userGroup = userGroup;
  utr.epoch += 1;
  addEvent(utr, nowMs, {
    $case: 'assigned',
    value: { oldUserId, oldUserGroup, newUserId: userId, newUserGroup: userGroup },
  });
  utr.status = userId === undefined ? UserTaskRunStatus.UNASSIGNED : UserTaskRunStatus.ASSIGNED;
}

/** True when the new owner is a user other than the previous one: ON_TASK_ASSIGNED hooks fire. */
export function userChanged(oldUserId: string | undefined, newUserId: string | undefined): boolean {
  return newUserId !== undefined && newUserId !== oldUserId;
}

export function cancelUserTaskRun(utr: UserTaskRun, nowMs: number): void {
  utr.status = UserTaskRunStatus.CANCELLED;
  addEvent(utr, nowMs, { $case: 'cancelled', value: { message: 'UserTaskRun was cancelled' } });
}

/** A STR view of an assignment's value, or undefined for NULL (as upstream's asStr()). */
export function assignText(scope: Pick<UserTaskScope, 'rt' | 'thread'>, assn: VariableAssignment): string | undefined {
  const v = assign(scope.rt, scope.thread, assn);
  return isNull(v) ? undefined : toText(v);
}

/**
 * What a cancelled UserTaskRun throws: the node's on_cancellation_exception_name when it names
 * one (an EXCEPTION a handler may catch), else the USER_TASK_CANCELLED error.
 */
export function cancellationFailure(scope: Pick<UserTaskScope, 'rt' | 'thread' | 'node'>): Failure {
  return newFailure(cancellationFailureName(scope), 'User task cancelled');
}

/** Throws VarSubError when the exception name cannot be computed. */
export function cancellationFailureName(scope: Pick<UserTaskScope, 'rt' | 'thread' | 'node'>): string {
  const assn = scope.node.onCancellationExceptionName;
  if (assn === undefined) return USER_TASK_CANCELLED;
  const name = assignText(scope, assn);
  return name === undefined || name.trim() === '' ? USER_TASK_CANCELLED : name;
}

/** Failures found outside the advance loop (a deadline reassignment that could not be computed), thrown at the next check. */
const pendingFailures = new WeakMap<RunRuntime, Map<string, Failure>>();

export function setPendingFailure(rt: RunRuntime, id: UserTaskRunId, failure: Failure): void {
  let forRun = pendingFailures.get(rt);
  if (forRun === undefined) pendingFailures.set(rt, (forRun = new Map()));
  forRun.set(id.userTaskGuid, failure);
}

export function takePendingFailure(rt: RunRuntime, id: UserTaskRunId): Failure | undefined {
  const forRun = pendingFailures.get(rt);
  const f = forRun?.get(id.userTaskGuid);
  if (f !== undefined) forRun?.delete(id.userTaskGuid);
  return f;
}

export function varSubFailure(prefix: string, err: VarSubError): Failure {
  return newFailure(ErrorName.VAR_SUB_ERROR, `${prefix}${err.message}`);
}
