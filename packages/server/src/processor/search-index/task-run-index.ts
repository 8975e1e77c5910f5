// TaskRuns by TaskDef (upstream's two local indexes): every TaskRun of a TaskDef, and those of a
// TaskDef in one status. The status moves with the TaskRun, so it is written with its previous
// version (RunRuntime.flush) to drop the stale status key.
import type { TaskRun } from '@filly/proto';
import { IndexRecords, Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { indexTimeMs, type IndexEntries, type ObjectIndex } from './index-kind.ts';

export const taskRunIndex: ObjectIndex<TaskRun> = {
  record: Records.taskRun,
  entryName: IndexRecords.taskRun.name,
  entriesOf(ctx, taskRun): IndexEntries {
    const out: IndexEntries = new Map();
    const id = taskRun.id;
    const taskDefName = taskRun.taskDefId?.name;
    if (id === undefined || taskDefName === undefined || taskDefName === '') return out;
    const createdMs = indexTimeMs(taskRun.scheduledAt);
    const entry = IndexRecords.taskRun.encode({ id });
    out.set(keys.taskRunIndexKey(keys.taskRunIndexPrefix(ctx.partition, ctx.tenant, taskDefName), createdMs, id), entry);
    if (taskRun.status >= 0) {
      const byStatus = keys.taskRunIndexPrefix(ctx.partition, ctx.tenant, taskDefName, taskRun.status);
      out.set(keys.taskRunIndexKey(byStatus, createdMs, id), entry);
    }
    return out;
  },
};
