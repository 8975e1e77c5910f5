// UpdateCorrelationMarker: a correlated EXTERNAL_EVENT NodeRun starts (CORRELATE) or stops
// (UNCORRELATE) waiting for the CorrelatedEvent of its key. Applied in the key's entity group;
// when the event is already there, it is delivered at once.
import { CorrelationMarkerAction, type CorrelationMarker, type UpdateCorrelationMarker } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, resourceExhausted } from '../api-error.ts';
import { Records } from '../records.ts';
import { correlate, correlatedEventKeyOf, markerKeyOf, MAX_WAITING_NODE_RUNS_PER_MARKER, sameNodeRun } from '../correlation/correlate.ts';

export function updateCorrelationMarker(ctx: ProcessorContext, req: UpdateCorrelationMarker): HandlerResult {
  const defName = req.externalEventDefId?.name;
  const waiting = req.waitingNodeRun;
  if (!defName || waiting?.wfRunId === undefined || req.correlationKey === '') {
    throw invalidArgument('UpdateCorrelationMarker needs a key, an ExternalEventDef and a NodeRun.');
  }
  const markerKey = markerKeyOf(ctx, req.correlationKey, defName);
  const marker: CorrelationMarker = ctx.get(Records.correlationMarker, markerKey) ?? {
    correlationKey: req.correlationKey,
    externalEventDefId: { name: defName },
    waitingNodeRuns: [],
  };
  const at = marker.waitingNodeRuns.findIndex((n) => sameNodeRun(n, waiting));
  if (req.action === CorrelationMarkerAction.CORRELATE) {
    if (at < 0) {
      if (marker.waitingNodeRuns.length >= MAX_WAITING_NODE_RUNS_PER_MARKER) {
        throw resourceExhausted(`More than ${MAX_WAITING_NODE_RUNS_PER_MARKER} NodeRuns wait for correlation key ${req.correlationKey}.`);
      }
      marker.waitingNodeRuns.push(waiting);
    }
  } else if (req.action === CorrelationMarkerAction.UNCORRELATE) {
    if (at >= 0) marker.waitingNodeRuns.splice(at, 1);
  } else {
    throw invalidArgument(`Unknown correlation marker action ${String(req.action)}.`);
  }
  if (marker.waitingNodeRuns.length === 0) ctx.delete(markerKey);
  else ctx.put(Records.correlationMarker, markerKey, marker);

  const event = ctx.get(Records.correlatedEvent, correlatedEventKeyOf(ctx, req.correlationKey, defName));
  if (event !== undefined) correlate(ctx, event, marker);
  return undefined;
}
