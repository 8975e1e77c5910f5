// SearchExternalEvent, SearchWorkflowEvent and SearchCorrelatedEvent: events of one def (required),
// by creation time, optionally only claimed / unclaimed ones, or only CorrelatedEvents that have
// (or have not) produced ExternalEvents.
import type {
  CorrelatedEventId,
  CorrelatedEventIdList,
  ExternalEventId,
  ExternalEventIdList,
  SearchCorrelatedEventRequest,
  SearchExternalEventRequest,
  SearchWorkflowEventRequest,
  WorkflowEventId,
  WorkflowEventIdList,
} from '@filly/proto';
import { invalidArgument } from '../../processor/api-error.ts';
import { IndexRecords, Records } from '../../processor/records.ts';
import * as keys from '../../store/keys.ts';
import type { CallContext } from '../call-context.ts';
import type { IngressDeps } from '../deps.ts';
import { requiredName, timeRangeOf } from './criteria.ts';
import { allPartitions, searchIndex } from './index-scan.ts';

export async function searchExternalEvent(deps: IngressDeps, ctx: CallContext, req: SearchExternalEventRequest): Promise<ExternalEventIdList> {
  const defName = req.externalEventDefId?.name ?? '';
  if (defName.trim() === '') throw invalidArgument('Missing required argument: ExternalEventDefId.');
  if ((await deps.engine.get(Records.externalEventDef, keys.externalEventDefKey(ctx.tenant, defName))) === undefined) {
    throw invalidArgument(`ExternalEventDef "${defName}" does not exist.`);
  }
  return searchIndex<{ id?: ExternalEventId | undefined }, ExternalEventId>(
    deps,
    {
      codec: IndexRecords.externalEvent,
      partitions: allPartitions(deps),
      prefixOf: (p) => keys.externalEventIndexPrefix(p, ctx.tenant, defName, req.isClaimed),
      ...timeRangeOf(req.earliestStart, req.latestStart),
      resultOf: (entry) => entry.id,
    },
    req.bookmark,
    req.limit,
  );
}

export async function searchWorkflowEvent(deps: IngressDeps, ctx: CallContext, req: SearchWorkflowEventRequest): Promise<WorkflowEventIdList> {
  const defName = req.workflowEventDefId?.name ?? '';
  if (defName.trim() === '') throw invalidArgument('Missing required argument: WorkflowEventDefId.');
  if ((await deps.engine.get(Records.workflowEventDef, keys.workflowEventDefKey(ctx.tenant, defName))) === undefined) {
    throw invalidArgument(`WorkflowEventDef "${defName}" does not exist.`);
  }
  return searchIndex<{ id?: WorkflowEventId | undefined }, WorkflowEventId>(
    deps,
    {
      codec: IndexRecords.workflowEvent,
      partitions: allPartitions(deps),
      prefixOf: (p) => keys.workflowEventIndexPrefix(p, ctx.tenant, defName),
      ...timeRangeOf(req.earliestStart, req.latestStart),
      resultOf: (entry) => entry.id,
    },
    req.bookmark,
    req.limit,
  );
}

export function searchCorrelatedEvent(deps: IngressDeps, ctx: CallContext, req: SearchCorrelatedEventRequest): Promise<CorrelatedEventIdList> {
  const defName = requiredName(req.externalEventDefId?.name, 'external_event_def_id');
  return searchIndex<{ id?: CorrelatedEventId | undefined }, CorrelatedEventId>(
    deps,
    {
      codec: IndexRecords.correlatedEvent,
      partitions: allPartitions(deps),
      prefixOf: (p) => keys.correlatedEventIndexPrefix(p, ctx.tenant, defName, req.hasExternalEvents),
      ...timeRangeOf(req.earliestStart, req.latestStart),
      resultOf: (entry) => entry.id,
    },
    req.bookmark,
    req.limit,
  );
}
