// ScheduleWf, GetScheduledWfRun, DeleteScheduledWfRun and SearchScheduledWfRun. A ScheduledWfRun
// lives in the entity group of its id on the partition that id hashes to, so a search visits
// every partition's ScheduledWfRuns of the tenant (the rpc has no bookmark: it answers them all,
// in order of creation, up to a bound).
import { randomUUID } from 'node:crypto';
import {
  Empty,
  ScheduledWfRun,
  type DeleteScheduledWfRunRequest,
  type ScheduledWfRunId,
  type ScheduledWfRunIdList,
  type ScheduleWfRequest,
  type SearchScheduledWfRunRequest,
} from '@filly/proto';
import { invalidArgument } from '../processor/api-error.ts';
import { Records } from '../processor/records.ts';
import { partitionForKey } from '../commands/partition.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { submitFor } from './submit.ts';
import { requireLhName, requirePresent, requireWfRunId } from './validate.ts';

/** ScheduledWfRuns one search reads at most, over all partitions. */
const MAX_SEARCH_RESULTS = 10_000;
const SCAN_BATCH = 1_000;
const MAX_CRON_LENGTH = 1_000;

export function scheduleWf(deps: IngressDeps, ctx: CallContext, req: ScheduleWfRequest): Promise<ScheduledWfRun> {
  requireLhName(req.wfSpecName, 'wf_spec_name');
  if (req.id !== undefined && req.id !== '') requireLhName(req.id, 'id');
  if (req.parentWfRunId) requireWfRunId(req.parentWfRunId, 'parent_wf_run_id');
  if (req.cronExpression.trim() === '') throw invalidArgument("Missing required argument 'cron_expression'.");
  if (req.cronExpression.length > MAX_CRON_LENGTH) throw invalidArgument(`'cron_expression' must be at most ${MAX_CRON_LENGTH} characters.`);
  if (req.majorVersion !== undefined && req.majorVersion < 0) throw invalidArgument("'major_version' must not be negative.");
  if (req.revision !== undefined && req.revision < 0) throw invalidArgument("'revision' must not be negative.");
  const withId: ScheduleWfRequest = { ...req, id: req.id ? req.id : randomUUID().replace(/-/g, '') };
  return submitFor(deps, ctx, { $case: 'scheduleWf', value: withId }, ScheduledWfRun.decode);
}

export function getScheduledWfRun(deps: IngressDeps, ctx: CallContext, id: ScheduledWfRunId): Promise<ScheduledWfRun> {
  const name = requireLhName(id.id, 'id');
  const partition = partitionForKey(name, deps.engine.partitionCount);
  return mustGet(deps.engine.get(Records.scheduledWfRun, keys.scheduledWfRunKey(partition, ctx.tenant, name)), `ScheduledWfRun ${name}`);
}

export function deleteScheduledWfRun(deps: IngressDeps, ctx: CallContext, req: DeleteScheduledWfRunRequest): Promise<Empty> {
  requireLhName(requirePresent(req.id, 'id').id, 'id.id');
  return submitFor(deps, ctx, { $case: 'deleteScheduledWfRun', value: req }, Empty.decode);
}

export async function searchScheduledWfRun(
  deps: IngressDeps,
  ctx: CallContext,
  req: SearchScheduledWfRunRequest,
): Promise<ScheduledWfRunIdList> {
  requireLhName(req.wfSpecName, 'wf_spec_name');
  if (req.revision !== undefined && req.majorVersion === undefined) throw invalidArgument("'revision' needs 'major_version'.");
  const found: ScheduledWfRun[] = [];
  for (let p = 0; p < deps.engine.partitionCount && found.length < MAX_SEARCH_RESULTS; p++) {
    const prefix = keys.scheduledWfRunsOfPartitionPrefix(p, ctx.tenant);
    let afterKey: string | undefined;
    // Each pass reads one batch and moves past it; bounded by MAX_SEARCH_RESULTS of matches and by
    // the partition's size.
    for (;;) {
      const rows = await deps.engine.scan(Records.scheduledWfRun, prefix, afterKey === undefined ? { limit: SCAN_BATCH } : { afterKey, limit: SCAN_BATCH });
      for (const { value } of rows) if (matches(value, req) && found.length < MAX_SEARCH_RESULTS) found.push(value);
      const last = rows[rows.length - 1];
      if (rows.length < SCAN_BATCH || last === undefined) break;
      afterKey = last.key;
    }
  }
  found.sort((x, y) => compareCreated(x, y));
  return { results: found.flatMap((s) => (s.id === undefined ? [] : [s.id])) };
}

function matches(s: ScheduledWfRun, req: SearchScheduledWfRunRequest): boolean {
  const id = s.wfSpecId;
  if (id?.name !== req.wfSpecName) return false;
  if (req.majorVersion !== undefined && id.majorVersion !== req.majorVersion) return false;
  if (req.revision !== undefined && id.revision !== req.revision) return false;
  return true;
}

function compareCreated(x: ScheduledWfRun, y: ScheduledWfRun): number {
  const a = x.createdAt;
  const b = y.createdAt;
  if (a === undefined || b === undefined) return 0;
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  if (a.nanos !== b.nanos) return a.nanos - b.nanos;
  return (x.id?.id ?? '') < (y.id?.id ?? '') ? -1 : 1;
}
