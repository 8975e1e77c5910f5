// PutCorrelatedEvent: stores the event under (key, ExternalEventDef) in the key's entity group and
// delivers it to the NodeRuns already waiting for it; NodeRuns that arrive later get it when they
// register. An optional TTL deletes it; delete_after_first_correlation deletes it on delivery.
import { CorrelatedEvent, type PutCorrelatedEventRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { alreadyExists, invalidArgument } from '../api-error.ts';
import { Records } from '../records.ts';
import { externalEventDefByName } from '../metadata-reads.ts';
import { checkAgainstType } from '../wf-run/type-check.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';
import { NULL_VALUE } from '../wf-run/variables.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { correlate, correlatedEventKeyOf, markerKeyOf } from '../correlation/correlate.ts';
import { updateIndexes } from '../search-index/update-indexes.ts';

export function putCorrelatedEvent(ctx: ProcessorContext, req: PutCorrelatedEventRequest): HandlerResult {
  const key = req.key;
  if (key === '') throw invalidArgument("Missing required argument 'key'.");
  if (key.includes('/') || key.includes('~')) throw invalidArgument("CorrelatedEvent keys cannot contain '/' or '~'");
  const defName = req.externalEventDefId?.name ?? '';
  const def = defName === '' ? undefined : externalEventDefByName(ctx, ctx.tenant, defName);
  if (def === undefined) throw invalidArgument('Could not find specified ExternalEventDef');
  const config = def.correlatedEventConfig;
  if (config === undefined) throw invalidArgument('Specified ExternalEventDef does not have CorrelatedEvent enabled');
  const content = req.content ?? NULL_VALUE;
  const contentType = def.typeInformation?.returnType;
  if (contentType !== undefined) {
    const problem = checkAgainstType(content, contentType, structDefLookupOf(ctx, ctx.tenant));
    if (problem !== undefined) throw invalidArgument(`Invalid type of content for event: ${defName}: ${problem}`);
  }

  const eventKey = correlatedEventKeyOf(ctx, key, defName);
  if (ctx.get(Records.correlatedEvent, eventKey) !== undefined) throw alreadyExists(`Correlated Event with key ${key} already exists!`);
  const event: CorrelatedEvent = {
    id: { key, externalEventDefId: { name: defName } },
    createdAt: tsFromMs(ctx.nowMs),
    content,
    externalEvents: [],
  };
  ctx.put(Records.correlatedEvent, eventKey, event);
  updateIndexes(ctx, Records.correlatedEvent, undefined, event);
  const marker = ctx.get(Records.correlationMarker, markerKeyOf(ctx, key, defName));
  if (marker !== undefined) correlate(ctx, event, marker);

  // Not for an event already delivered and deleted: its timer could only hit a later namesake.
  if (config.ttlSeconds !== undefined && ctx.get(Records.correlatedEvent, eventKey) !== undefined) {
    ctx.scheduleTimer(ctx.nowMs + Number(config.ttlSeconds) * 1000, { $case: 'deleteCorrelatedEvent', value: { id: event.id } });
  }
  return CorrelatedEvent.encode(event).finish();
}
