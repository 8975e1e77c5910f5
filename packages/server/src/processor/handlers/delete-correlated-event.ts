// DeleteCorrelatedEvent: removes the event of (key, ExternalEventDef); deleting one that is not
// there is not an error (upstream answers Empty). Also fired by the event's TTL timer.
import { Empty, type DeleteCorrelatedEventRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { correlatedEventKeyOf } from '../correlation/correlate.ts';
import { Records } from '../records.ts';
import { updateIndexes } from '../search-index/update-indexes.ts';

export function deleteCorrelatedEvent(ctx: ProcessorContext, req: DeleteCorrelatedEventRequest): HandlerResult {
  const key = req.id?.key ?? '';
  const defName = req.id?.externalEventDefId?.name ?? '';
  if (key === '' || defName === '') throw invalidArgument('DeleteCorrelatedEvent needs id.key and id.external_event_def_id.');
  const eventKey = correlatedEventKeyOf(ctx, key, defName);
  const event = ctx.get(Records.correlatedEvent, eventKey);
  if (event !== undefined) updateIndexes(ctx, Records.correlatedEvent, event, undefined);
  ctx.delete(eventKey);
  return Empty.encode({}).finish();
}
