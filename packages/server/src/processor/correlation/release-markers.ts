// A WfRun is deleted while some of its correlated EXTERNAL_EVENT NodeRuns still wait: each is
// registered in the correlation marker of its key, which lives in that key's entity group (often
// on another partition). The deletion sends each an UNCORRELATE follow-up so that no marker keeps
// pointing at a NodeRun that no longer exists (a later CorrelatedEvent would otherwise create
// ExternalEvents for a WfRun that is gone).
import type { WfRunId } from '@filly/proto';
import { CorrelationMarkerAction } from '@filly/proto/internal';
import type { ProcessorContext } from '../context.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';

/** Returns how many UNCORRELATE commands were sent. Call before the NodeRuns are deleted. */
export function releaseCorrelationMarkers(ctx: ProcessorContext, wfRunId: WfRunId): number {
  let sent = 0;
  for (const { value: nodeRun } of ctx.scan(Records.nodeRun, keys.nodeRunPrefix(ctx.partition, ctx.tenant, wfRunId))) {
    if (nodeRun.nodeType?.$case !== 'externalEvent') continue;
    const run = nodeRun.nodeType.value;
    // A NodeRun that got its event or timed out has unregistered itself already. Any other one
    // (waiting, halted, or left behind by a migration) may still be registered; an UNCORRELATE
    // for one that is not is a no-op.
    if (run.correlationKey === undefined || run.externalEventId !== undefined || run.timedOut) continue;
    ctx.sendCommand({
      $case: 'updateCorrelationMarker',
      value: {
        correlationKey: run.correlationKey,
        externalEventDefId: run.externalEventDefId,
        waitingNodeRun: nodeRun.id,
        action: CorrelationMarkerAction.UNCORRELATE,
      },
    }, ctx.nowMs + 1); // after a CORRELATE sent in the same millisecond (see external-event.ts)
    sent += 1;
  }
  return sent;
}
