// SearchTaskRun: TaskRuns of one TaskDef (required), optionally in one status, by schedule time.
import { TaskStatus, type SearchTaskRunRequest, type TaskRunId, type TaskRunIdList } from '@filly/proto';
import { IndexRecords } from '../../processor/records.ts';
import * as keys from '../../store/keys.ts';
import type { CallContext } from '../call-context.ts';
import type { IngressDeps } from '../deps.ts';
import { requiredName, requireEnumValue, timeRangeOf } from './criteria.ts';
import { allPartitions, searchIndex } from './index-scan.ts';

export function searchTaskRun(deps: IngressDeps, ctx: CallContext, req: SearchTaskRunRequest): Promise<TaskRunIdList> {
  const taskDefName = requiredName(req.taskDefName, 'task_def_name');
  const status = req.status === undefined ? undefined : requireEnumValue(req.status, TaskStatus, 'status');
  return searchIndex<{ id?: TaskRunId | undefined }, TaskRunId>(
    deps,
    {
      codec: IndexRecords.taskRun,
      partitions: allPartitions(deps),
      prefixOf: (p) => keys.taskRunIndexPrefix(p, ctx.tenant, taskDefName, status),
      ...timeRangeOf(req.earliestStart, req.latestStart),
      resultOf: (entry) => entry.id,
    },
    req.bookmark,
    req.limit,
  );
}
