// DeleteScheduledWfRun: removes the schedule; its pending timer then finds nothing and stops.
// Deleting an id that does not exist is not an error (upstream answers Empty too).
import { Empty, type DeleteScheduledWfRunRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { scheduledWfRunKeyOf } from '../schedules/scheduled-wf-runs.ts';

export function deleteScheduledWfRun(ctx: ProcessorContext, req: DeleteScheduledWfRunRequest): HandlerResult {
  const id = req.id?.id;
  if (id === undefined || id === '') throw invalidArgument('Missing id');
  ctx.delete(scheduledWfRunKeyOf(ctx, id));
  return Empty.encode({}).finish();
}
