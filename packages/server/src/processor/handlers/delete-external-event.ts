// DeleteExternalEvent: only an unclaimed event may be deleted; a claimed one is part of its
// WfRun's history. Also fired by the ExternalEventDef's retention timer, which stays silent when
// the event is already gone or was claimed in the meantime.
import { Empty, type DeleteExternalEventRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition, invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { updateIndexes } from '../search-index/update-indexes.ts';

export function deleteExternalEvent(ctx: ProcessorContext, req: DeleteExternalEventRequest): HandlerResult {
  const id = req.id;
  if (id?.wfRunId === undefined || id.externalEventDefId === undefined) throw invalidArgument('Missing ExternalEvent id');
  const fromTimer = ctx.command.firedTimerKey !== undefined;
  const key = keys.externalEventKey(ctx.partition, ctx.tenant, id);
  const event = ctx.get(Records.externalEvent, key);
  if (event === undefined) {
    if (fromTimer) return undefined;
    throw notFound('Could not find ExternalEvent');
  }
  if (event.claimed) {
    if (fromTimer) return undefined;
    throw failedPrecondition('ExternalEvent already claimed!');
  }
  ctx.delete(key);
  updateIndexes(ctx, Records.externalEvent, event, undefined);
  return Empty.encode({}).finish();
}
