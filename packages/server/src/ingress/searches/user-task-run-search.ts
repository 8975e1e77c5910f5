// SearchUserTaskRun: any combination of status, UserTaskDef, user and group (at least one), by
// creation time. The scan walks the index of the most selective criterion given (a user's runs
// are fewer than a group's, a group's fewer than a def's) and checks the rest on each entry.
import { UserTaskRunStatus, type SearchUserTaskRunRequest, type UserTaskRunId, type UserTaskRunIdList } from '@filly/proto';
import type { UserTaskRunIndexEntry } from '@filly/proto/internal';
import { invalidArgument } from '../../processor/api-error.ts';
import { IndexRecords } from '../../processor/records.ts';
import * as keys from '../../store/keys.ts';
import type { CallContext } from '../call-context.ts';
import type { IngressDeps } from '../deps.ts';
import { optionalCriterion, requireEnumValue, timeRangeOf } from './criteria.ts';
import { allPartitions, searchIndex } from './index-scan.ts';

interface Criteria {
  status: UserTaskRunStatus | undefined;
  defName: string | undefined;
  userId: string | undefined;
  userGroup: string | undefined;
}

export function searchUserTaskRun(deps: IngressDeps, ctx: CallContext, req: SearchUserTaskRunRequest): Promise<UserTaskRunIdList> {
  const c: Criteria = {
    status: req.status === undefined ? undefined : requireEnumValue(req.status, UserTaskRunStatus, 'status'),
    defName: optionalCriterion(req.userTaskDefName),
    userId: optionalCriterion(req.userId),
    userGroup: optionalCriterion(req.userGroup),
  };
  const [attribute, value] = startingIndex(c);
  return searchIndex<UserTaskRunIndexEntry, UserTaskRunId>(
    deps,
    {
      codec: IndexRecords.userTaskRun,
      partitions: allPartitions(deps),
      prefixOf: (p) => keys.userTaskRunIndexPrefix(p, ctx.tenant, attribute, value),
      ...timeRangeOf(req.earliestStart, req.latestStart),
      keep: (entry) => matches(entry, c),
      resultOf: (entry) => entry.id,
    },
    req.bookmark,
    req.limit,
  );
}

function startingIndex(c: Criteria): [keys.UserTaskRunIndexAttribute, string] {
  if (c.userId !== undefined) return ['user', c.userId];
  if (c.userGroup !== undefined) return ['group', c.userGroup];
  if (c.defName !== undefined) return ['def', c.defName];
  if (c.status !== undefined) return ['status', String(c.status)];
  throw invalidArgument('Must provide at least one search criteria: status,user_id,user_group,user_task_def_name');
}

function matches(entry: UserTaskRunIndexEntry, c: Criteria): boolean {
  if (c.status !== undefined && entry.status !== c.status) return false;
  if (c.defName !== undefined && entry.userTaskDefName !== c.defName) return false;
  if (c.userId !== undefined && entry.userId !== c.userId) return false;
  if (c.userGroup !== undefined && entry.userGroup !== c.userGroup) return false;
  return true;
}
