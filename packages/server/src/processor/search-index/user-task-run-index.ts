// UserTaskRuns: one key per attribute a search may start from (user, group, def, status).
// Upstream writes a tag for every combination of the four criteria; here a search walks the key
// of its most selective criterion and checks the others against the entry, which carries them.
import type { UserTaskRun } from '@filly/proto';
import type { UserTaskRunIndexEntry } from '@filly/proto/internal';
import { IndexRecords, Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { indexTimeMs, type IndexEntries, type ObjectIndex } from './index-kind.ts';

export const userTaskRunIndex: ObjectIndex<UserTaskRun> = {
  record: Records.userTaskRun,
  entryName: IndexRecords.userTaskRun.name,
  entriesOf(ctx, utr): IndexEntries {
    const out: IndexEntries = new Map();
    const id = utr.id;
    const defName = utr.userTaskDefId?.name ?? '';
    if (id === undefined) return out;
    const entry: UserTaskRunIndexEntry = {
      id,
      status: utr.status,
      userTaskDefName: defName,
      userId: utr.userId,
      userGroup: utr.userGroup,
    };
    const bytes = IndexRecords.userTaskRun.encode(entry);
    const createdMs = indexTimeMs(utr.scheduledTime);
    const add = (attribute: keys.UserTaskRunIndexAttribute, value: string): void => {
      const prefix = keys.userTaskRunIndexPrefix(ctx.partition, ctx.tenant, attribute, value);
      out.set(keys.userTaskRunIndexKey(prefix, createdMs, id), bytes);
    };
    if (utr.status >= 0) add('status', String(utr.status));
    if (defName !== '') add('def', defName);
    if (utr.userId !== undefined) add('user', utr.userId);
    if (utr.userGroup !== undefined) add('group', utr.userGroup);
    return out;
  },
};
