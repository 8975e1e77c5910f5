// UserTaskRun rpcs. Reads come from committed state on the WfRun's partition; every change is a
// command on that partition, checked here only for what needs no state (ids, blank user ids).
import {
  Empty,
  UserTaskRun,
  type AssignUserTaskRunRequest,
  type CancelUserTaskRunRequest,
  type CompleteUserTaskRunRequest,
  type DeleteUserTaskRunCommentRequest,
  type EditUserTaskRunCommentRequest,
  type ListUserTaskRunRequest,
  type PutUserTaskRunCommentRequest,
  type SaveUserTaskRunProgressRequest,
  type UserTaskRunId,
  type UserTaskRunList,
  type WfRunId,
} from '@filly/proto';
import { partitionForKey } from '../commands/partition.ts';
import { invalidArgument } from '../processor/api-error.ts';
import { Records } from '../processor/records.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { readPage } from './pages.ts';
import { submitFor } from './submit.ts';
import { requirePresent, requireWfRunId } from './validate.ts';

const partition = (deps: IngressDeps, id: WfRunId): number => partitionForKey(keys.rootWfRunId(id), deps.engine.partitionCount);

function requireUserTaskRunId(id: UserTaskRunId | undefined, field: string): UserTaskRunId {
  const present = requirePresent(id, field);
  requireWfRunId(present.wfRunId, `${field}.wf_run_id`);
  requirePresent(present.userTaskGuid || undefined, `${field}.user_task_guid`);
  return present;
}

export async function getUserTaskRun(deps: IngressDeps, ctx: CallContext, id: UserTaskRunId): Promise<UserTaskRun> {
  const checked = requireUserTaskRunId(id, 'id');
  const wfRunId = requirePresent(checked.wfRunId, 'wf_run_id');
  return mustGet(deps.engine.get(Records.userTaskRun, keys.userTaskRunKey(partition(deps, wfRunId), ctx.tenant, checked)),
    `UserTaskRun ${keys.wfRunIdString(wfRunId)}/${checked.userTaskGuid}`);
}

export async function listUserTaskRuns(deps: IngressDeps, ctx: CallContext, req: ListUserTaskRunRequest): Promise<UserTaskRunList> {
  const id = requireWfRunId(req.wfRunId, 'wf_run_id');
  return readPage(deps, Records.userTaskRun, keys.userTaskRunPrefix(partition(deps, id), ctx.tenant, id), req.bookmark, req.limit);
}

export function assignUserTaskRun(deps: IngressDeps, ctx: CallContext, req: AssignUserTaskRunRequest): Promise<Empty> {
  requireUserTaskRunId(req.userTaskRunId, 'user_task_run_id');
  if (req.userId !== undefined && req.userId.trim() === '') throw invalidArgument("UserId can't be empty");
  if (req.userGroup !== undefined && req.userGroup.trim() === '') throw invalidArgument("UserGroup can't be empty");
  return submitFor(deps, ctx, { $case: 'assignUserTaskRun', value: req }, Empty.decode);
}

export function completeUserTaskRun(deps: IngressDeps, ctx: CallContext, req: CompleteUserTaskRunRequest): Promise<Empty> {
  requireUserTaskRunId(req.userTaskRunId, 'user_task_run_id');
  if (req.userId.trim() === '') throw invalidArgument("Missing required argument 'user_id': the user completing the task.");
  return submitFor(deps, ctx, { $case: 'completeUserTaskRun', value: req }, Empty.decode);
}

export function cancelUserTaskRun(deps: IngressDeps, ctx: CallContext, req: CancelUserTaskRunRequest): Promise<Empty> {
  requireUserTaskRunId(req.userTaskRunId, 'user_task_run_id');
  return submitFor(deps, ctx, { $case: 'cancelUserTaskRun', value: req }, Empty.decode);
}

export function saveUserTaskRunProgress(deps: IngressDeps, ctx: CallContext, req: SaveUserTaskRunProgressRequest): Promise<UserTaskRun> {
  requireUserTaskRunId(req.userTaskRunId, 'user_task_run_id');
  if (req.policy < 0) throw invalidArgument(`Unknown policy ${req.policy}.`);
  return submitFor(deps, ctx, { $case: 'saveUserTaskRunProgress', value: req }, UserTaskRun.decode);
}

export function putUserTaskRunComment(deps: IngressDeps, ctx: CallContext, req: PutUserTaskRunCommentRequest): Promise<UserTaskRun> {
  requireUserTaskRunId(req.userTaskRunId, 'user_task_run_id');
  return submitFor(deps, ctx, { $case: 'putUserTaskRunComment', value: req }, UserTaskRun.decode);
}

export function editUserTaskRunComment(deps: IngressDeps, ctx: CallContext, req: EditUserTaskRunCommentRequest): Promise<UserTaskRun> {
  requireUserTaskRunId(req.userTaskRunId, 'user_task_run_id');
  return submitFor(deps, ctx, { $case: 'editUserTaskRunComment', value: req }, UserTaskRun.decode);
}

export function deleteUserTaskRunComment(deps: IngressDeps, ctx: CallContext, req: DeleteUserTaskRunCommentRequest): Promise<UserTaskRun> {
  requireUserTaskRunId(req.userTaskRunId, 'user_task_run_id');
  return submitFor(deps, ctx, { $case: 'deleteUserTaskRunComment', value: req }, UserTaskRun.decode);
}
