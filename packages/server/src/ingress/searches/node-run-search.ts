// SearchNodeRun: like upstream, only EXTERNAL_EVENT NodeRuns are indexed, by (ExternalEventDef,
// status); `status` is a plain proto3 enum, so an unset status means STARTING.
import { LHStatus, type NodeRunId, type NodeRunIdList, type SearchNodeRunRequest } from '@filly/proto';
import { IndexRecords } from '../../processor/records.ts';
import * as keys from '../../store/keys.ts';
import type { CallContext } from '../call-context.ts';
import type { IngressDeps } from '../deps.ts';
import { requiredName, requireEnumValue, timeRangeOf } from './criteria.ts';
import { allPartitions, searchIndex } from './index-scan.ts';

export function searchNodeRun(deps: IngressDeps, ctx: CallContext, req: SearchNodeRunRequest): Promise<NodeRunIdList> {
  const defName = requiredName(req.externalEventDef?.name, 'external_event_def');
  const status = requireEnumValue(req.status, LHStatus, 'status');
  return searchIndex<{ id?: NodeRunId | undefined }, NodeRunId>(
    deps,
    {
      codec: IndexRecords.nodeRun,
      partitions: allPartitions(deps),
      prefixOf: (p) => keys.nodeRunIndexPrefix(p, ctx.tenant, defName, status),
      ...timeRangeOf(req.earliestStart, req.latestStart),
      resultOf: (entry) => entry.id,
    },
    req.bookmark,
    req.limit,
  );
}
