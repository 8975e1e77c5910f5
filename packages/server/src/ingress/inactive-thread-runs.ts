// GetInactiveThreadRun: a ThreadRun archived out of its WfRun (processor/wf-run/archival/). A
// thread the WfRun still holds, or one that never existed, is NOT_FOUND: clients read held
// threads from GetWfRun and the rest, up to greatest_threadrun_number, from here.
import type { InactiveThreadRun, InactiveThreadRunId } from '@filly/proto';
import { partitionForKey } from '../commands/partition.ts';
import { Records } from '../processor/records.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { requireNonNegative, requireWfRunId } from './validate.ts';

export async function getInactiveThreadRun(deps: IngressDeps, ctx: CallContext, req: InactiveThreadRunId): Promise<InactiveThreadRun> {
  const wfRunId = requireWfRunId(req.wfRunId, 'wf_run_id');
  const number = requireNonNegative(req.threadRunNumber, 'thread_run_number');
  const partition = partitionForKey(keys.rootWfRunId(wfRunId), deps.engine.partitionCount);
  const key = keys.inactiveThreadRunKey(partition, ctx.tenant, wfRunId, number);
  return mustGet(deps.engine.get(Records.inactiveThreadRun, key), `InactiveThreadRun ${number} of WfRun ${keys.wfRunIdString(wfRunId)}`);
}
