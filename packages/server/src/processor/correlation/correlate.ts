// Delivering a CorrelatedEvent to the NodeRuns waiting for it. Both halves meet in the entity
// group of the correlation key: whichever arrives second (the event, or a waiting NodeRun's
// marker) triggers the delivery. Each waiting NodeRun receives a PutExternalEvent pinned to it,
// sent to its WfRun's partition as a follow-up command.
import type { CorrelatedEvent, NodeRunId } from '@filly/proto';
import type { CorrelationMarker } from '@filly/proto/internal';
import type { ProcessorContext } from '../context.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { externalEventDefByName } from '../metadata-reads.ts';
import { updateIndexes } from '../search-index/update-indexes.ts';

/** Bound on the NodeRuns one marker tracks: each is a WfRun waiting on the same key and def. */
export const MAX_WAITING_NODE_RUNS_PER_MARKER = 10_000;

export function markerKeyOf(ctx: ProcessorContext, correlationKey: string, defName: string): string {
  return keys.correlationMarkerKey(ctx.partition, ctx.tenant, correlationKey, defName);
}

export function correlatedEventKeyOf(ctx: ProcessorContext, correlationKey: string, defName: string): string {
  return keys.correlatedEventKey(ctx.partition, ctx.tenant, correlationKey, defName);
}

export function sameNodeRun(a: NodeRunId, b: NodeRunId): boolean {
  const wa = a.wfRunId;
  const wb = b.wfRunId;
  if (wa === undefined || wb === undefined) return false;
  return keys.wfRunIdString(wa) === keys.wfRunIdString(wb) && a.threadRunNumber === b.threadRunNumber && a.position === b.position;
}

/**
 * Sends `event` to every NodeRun of `marker`, records the ExternalEvents it created, then stores
 * the event (or deletes it when its def says delete_after_first_correlation) and clears the
 * marker. Nothing happens for a marker with no waiting NodeRuns.
 */
export function correlate(ctx: ProcessorContext, event: CorrelatedEvent, marker: CorrelationMarker): void {
  if (marker.waitingNodeRuns.length === 0) return;
  const defId = event.id?.externalEventDefId;
  const key = event.id?.key;
  if (defId === undefined || key === undefined) throw new Error('CorrelatedEvent without id');
  for (const waiting of marker.waitingNodeRuns) {
    const wfRunId = waiting.wfRunId;
    if (wfRunId === undefined) throw new Error('correlation marker holds a NodeRunId without a WfRun');
    const guid = ctx.newGuid();
    ctx.sendCommand({
      $case: 'putExternalEvent',
      value: {
        wfRunId,
        externalEventDefId: defId,
        guid,
        content: event.content,
        threadRunNumber: waiting.threadRunNumber,
        nodeRunPosition: waiting.position,
      },
    });
    event.externalEvents.push({ wfRunId, externalEventDefId: defId, guid });
  }
  const eventKey = correlatedEventKeyOf(ctx, key, defId.name);
  const def = externalEventDefByName(ctx, ctx.tenant, defId.name);
  if (def?.correlatedEventConfig?.deleteAfterFirstCorrelation === true) {
    ctx.delete(eventKey);
    updateIndexes(ctx, Records.correlatedEvent, event, undefined);
  } else {
    ctx.put(Records.correlatedEvent, eventKey, event);
    updateIndexes(ctx, Records.correlatedEvent, undefined, event);
  }
  ctx.delete(markerKeyOf(ctx, key, defId.name));
}
