// ScheduledWfRuns: stored in the entity group of their id, fired by a cron timer that runs a WfRun
// each time and arms the next firing. Every firing carries the created_at of the ScheduledWfRun
// that armed it, so a schedule that is deleted (or replaced under the same id) stops its old chain.
import type { ScheduledWfRun } from '@filly/proto';
import type { ProcessorContext } from '../context.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { msFromTs } from '../wf-run/time.ts';
import { nextFireMs, parseCron } from './cron.ts';

export function scheduledWfRunKeyOf(ctx: ProcessorContext, id: string): string {
  return keys.scheduledWfRunKey(ctx.partition, ctx.tenant, id);
}

export function loadScheduledWfRun(ctx: ProcessorContext, id: string): ScheduledWfRun | undefined {
  return ctx.get(Records.scheduledWfRun, scheduledWfRunKeyOf(ctx, id));
}

/** Arms the firing that follows afterMs; false when the expression never fires again. */
export interface RequestedVersion {
  majorVersion: number | undefined;
  revision: number | undefined;
}

export function armNextFiring(ctx: ProcessorContext, scheduled: ScheduledWfRun, version: RequestedVersion, afterMs: number): boolean {
  const id = scheduled.id?.id;
  const createdAtMs = msFromTs(scheduled.createdAt);
  if (id === undefined || createdAtMs === undefined) throw new Error('ScheduledWfRun without id or created_at');
  const dueMs = nextFireMs(parseCron(scheduled.cronExpression), afterMs);
  if (dueMs === undefined) return false;
  ctx.scheduleTimer(dueMs, { $case: 'scheduledWfRunFired', value: { id: { id }, createdAtMs: BigInt(createdAtMs), ...version } });
  return true;
}
