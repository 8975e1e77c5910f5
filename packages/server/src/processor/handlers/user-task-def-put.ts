// PutUserTaskDef: a new version when the fields differ from the newest version, the newest
// version itself when they are the same (so clients may register their forms at every start).
import { UserTaskDef } from '@filly/proto';
import type { PutUserTaskDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { timestampOfMs } from '../wf-spec/timestamps.ts';
import { latestUserTaskDef, sameUserTaskDef, storeUserTaskDef, userTaskDefOfRequest } from '../user-tasks/user-task-defs.ts';

export function putUserTaskDef(ctx: ProcessorContext, req: PutUserTaskDefRequest): HandlerResult {
  const def = userTaskDefOfRequest(req);
  const newest = latestUserTaskDef(ctx, ctx.tenant, req.name);
  if (newest !== undefined && sameUserTaskDef(newest, def)) return UserTaskDef.encode(newest).finish();
  def.version = newest === undefined ? 0 : newest.version + 1;
  def.createdAt = timestampOfMs(ctx.nowMs);
  storeUserTaskDef(ctx, ctx.tenant, def);
  return UserTaskDef.encode(def).finish();
}
