// A ScheduledWfRun's cron timer fired: if the schedule that armed it still exists, run its WfRun
// (as a RunWf command routed to the new WfRun's partition, with an id derived from this command)
// and arm the next firing. Errors of that RunWf (a deleted WfSpec, a missing parent) only lose
// that one run, as upstream.
import type { RunWfRequest } from '@filly/proto';
import type { ScheduledWfRunFired } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { msFromTs } from '../wf-run/time.ts';
import { armNextFiring, loadScheduledWfRun } from '../schedules/scheduled-wf-runs.ts';

export function scheduledWfRunFired(ctx: ProcessorContext, req: ScheduledWfRunFired): HandlerResult {
  const id = req.id?.id;
  if (id === undefined) return undefined;
  const scheduled = loadScheduledWfRun(ctx, id);
  if (scheduled === undefined) return undefined;
  if (BigInt(msFromTs(scheduled.createdAt) ?? -1) !== req.createdAtMs) return undefined;
  const spec = scheduled.wfSpecId;
  if (spec === undefined) throw new Error(`ScheduledWfRun ${id} has no wf_spec_id`);
  const run: RunWfRequest = {
    wfSpecName: spec.name,
    majorVersion: req.majorVersion,
    revision: req.revision,
    variables: scheduled.variables,
    id: ctx.newGuid(),
    parentWfRunId: scheduled.parentWfRunId,
  };
  ctx.sendCommand({ $case: 'runWf', value: run });
  armNextFiring(ctx, scheduled, { majorVersion: req.majorVersion, revision: req.revision }, ctx.nowMs);
  return undefined;
}
