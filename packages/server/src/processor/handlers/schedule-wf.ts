// ScheduleWf: stores a ScheduledWfRun (in the entity group of its id; ingress assigns the id when
// the caller gives none) and arms its first firing at the next cron time, not now. As upstream,
// a request naming an existing id replaces it; the replaced schedule's timer chain then stops.
import { ScheduledWfRun, type ScheduleWfRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { Records } from '../records.ts';
import { latestWfSpec, wfSpecById } from '../metadata-reads.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { CronError, firstFiringMs } from '../schedules/cron.ts';
import { armNextFiring, scheduledWfRunKeyOf } from '../schedules/scheduled-wf-runs.ts';

export function scheduleWf(ctx: ProcessorContext, req: ScheduleWfRequest): HandlerResult {
  const id = req.id;
  if (id === undefined || id === '') throw invalidArgument("Missing argument 'id' (ingress assigns one)");
  const spec =
    req.majorVersion !== undefined && req.revision !== undefined
      ? wfSpecById(ctx, ctx.tenant, { name: req.wfSpecName, majorVersion: req.majorVersion, revision: req.revision })
      : latestWfSpec(ctx, ctx.tenant, req.wfSpecName, req.majorVersion);
  if (spec?.id === undefined) {
    const version = `${req.majorVersion ?? 'null'}.${req.revision ?? 'null'}`;
    throw invalidArgument(`WfSpec ${req.wfSpecName} ${version} does not exist`);
  }
  try {
    firstFiringMs(req.cronExpression, ctx.nowMs);
  } catch (err) {
    if (err instanceof CronError) throw invalidArgument(`Invalid cron expression: ${err.message}`);
    throw err;
  }
  const scheduled: ScheduledWfRun = {
    id: { id },
    wfSpecId: spec.id,
    variables: req.variables,
    parentWfRunId: req.parentWfRunId,
    cronExpression: req.cronExpression,
    createdAt: tsFromMs(ctx.nowMs),
  };
  ctx.put(Records.scheduledWfRun, scheduledWfRunKeyOf(ctx, id), scheduled);
  armNextFiring(ctx, scheduled, { majorVersion: req.majorVersion, revision: req.revision }, ctx.nowMs);
  return ScheduledWfRun.encode(scheduled).finish();
}
