// DeleteUserTaskDef: removes one version (NOT_FOUND when absent, as upstream). WfSpecs pinned to
// it stay; their WfRuns fail with TASK_ERROR when they reach the USER_TASK node.
import { Empty } from '@filly/proto';
import type { DeleteUserTaskDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { removeUserTaskDef, userTaskDefByVersion } from '../user-tasks/user-task-defs.ts';

export function deleteUserTaskDef(ctx: ProcessorContext, req: DeleteUserTaskDefRequest): HandlerResult {
  const id = req.id;
  if (!id?.name) throw invalidArgument('DeleteUserTaskDef: id.name is required.');
  if (userTaskDefByVersion(ctx, ctx.tenant, id.name, id.version) === undefined) {
    throw notFound(`UserTaskDef '${id.name}' version ${id.version} does not exist.`);
  }
  removeUserTaskDef(ctx, ctx.tenant, id.name, id.version);
  return Empty.encode({}).finish();
}
