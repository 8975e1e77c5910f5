// ExternalEvents, WorkflowEvents and CorrelatedEvents, by their def. The only attribute of these
// that changes is a flag (claimed; has produced ExternalEvents), so a writer that does not know
// the previous version deletes the key of the other setting.
import type { CorrelatedEvent, ExternalEvent, WorkflowEvent } from '@filly/proto';
import { IndexRecords, Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { indexTimeMs, oneEntry, type IndexEntries, type ObjectIndex } from './index-kind.ts';

function externalEventKey(p: number, tenant: string, event: ExternalEvent, claimed: boolean | undefined): string | undefined {
  const defName = event.id?.externalEventDefId?.name;
  if (event.id === undefined || defName === undefined || defName === '') return undefined;
  return keys.externalEventIndexKey(keys.externalEventIndexPrefix(p, tenant, defName, claimed), indexTimeMs(event.createdAt), event.id);
}

export const externalEventIndex: ObjectIndex<ExternalEvent> = {
  record: Records.externalEvent,
  entryName: IndexRecords.externalEvent.name,
  entriesOf(ctx, event): IndexEntries {
    const all = externalEventKey(ctx.partition, ctx.tenant, event, undefined);
    const flagged = externalEventKey(ctx.partition, ctx.tenant, event, event.claimed);
    if (all === undefined || flagged === undefined || event.id === undefined) return new Map();
    const entry = IndexRecords.externalEvent.encode({ id: event.id });
    return new Map([[all, entry], [flagged, entry]]);
  },
  formerKeysOf(ctx, event): string[] {
    const other = externalEventKey(ctx.partition, ctx.tenant, event, !event.claimed);
    return other === undefined ? [] : [other];
  },
};

export const workflowEventIndex: ObjectIndex<WorkflowEvent> = {
  record: Records.workflowEvent,
  entryName: IndexRecords.workflowEvent.name,
  entriesOf(ctx, event): IndexEntries {
    const defName = event.id?.workflowEventDefId?.name;
    if (event.id === undefined || defName === undefined || defName === '') return new Map();
    const prefix = keys.workflowEventIndexPrefix(ctx.partition, ctx.tenant, defName);
    return oneEntry(keys.workflowEventIndexKey(prefix, indexTimeMs(event.createdAt), event.id), IndexRecords.workflowEvent.encode({ id: event.id }));
  },
};

function correlatedEventKey(p: number, tenant: string, event: CorrelatedEvent, used: boolean | undefined): string | undefined {
  const defName = event.id?.externalEventDefId?.name;
  const correlationKey = event.id?.key;
  if (defName === undefined || defName === '' || correlationKey === undefined || correlationKey === '') return undefined;
  return keys.correlatedEventIndexKey(keys.correlatedEventIndexPrefix(p, tenant, defName, used), indexTimeMs(event.createdAt), correlationKey);
}

export const correlatedEventIndex: ObjectIndex<CorrelatedEvent> = {
  record: Records.correlatedEvent,
  entryName: IndexRecords.correlatedEvent.name,
  entriesOf(ctx, event): IndexEntries {
    const used = event.externalEvents.length > 0;
    const all = correlatedEventKey(ctx.partition, ctx.tenant, event, undefined);
    const flagged = correlatedEventKey(ctx.partition, ctx.tenant, event, used);
    if (all === undefined || flagged === undefined || event.id === undefined) return new Map();
    const entry = IndexRecords.correlatedEvent.encode({ id: event.id });
    return new Map([[all, entry], [flagged, entry]]);
  },
  formerKeysOf(ctx, event): string[] {
    const other = correlatedEventKey(ctx.partition, ctx.tenant, event, event.externalEvents.length === 0);
    return other === undefined ? [] : [other];
  },
};
