// DeleteTaskDef: NOT_FOUND when absent, as upstream. WfSpecs that use it are left alone; their
// new WfRuns fail when they reach the TASK node, as upstream's do.
import { Empty } from '@filly/proto';
import type { DeleteTaskDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';

export function deleteTaskDef(ctx: ProcessorContext, req: DeleteTaskDefRequest): HandlerResult {
  const name = req.id?.name;
  if (!name) throw invalidArgument('DeleteTaskDef: id.name is required.');
  const key = keys.taskDefKey(ctx.tenant, name);
  if (ctx.get(Records.taskDef, key) === undefined) throw notFound(`TaskDef '${name}' does not exist.`);
  ctx.delete(key);
  return Empty.encode({}).finish();
}
