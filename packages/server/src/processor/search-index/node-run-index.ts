// NodeRuns are indexed like upstream: only EXTERNAL_EVENT NodeRuns, by (ExternalEventDef, status),
// so SearchNodeRun can list the NodeRuns waiting for (or done with) one kind of event.
import type { NodeRun } from '@filly/proto';
import { IndexRecords, Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { indexTimeMs, oneEntry, type IndexEntries, type ObjectIndex } from './index-kind.ts';

export const nodeRunIndex: ObjectIndex<NodeRun> = {
  record: Records.nodeRun,
  entryName: IndexRecords.nodeRun.name,
  neverIndexed: (nodeRun) => nodeRun.nodeType?.$case !== 'externalEvent',
  entriesOf(ctx, nodeRun): IndexEntries {
    const id = nodeRun.id;
    const defName = nodeRun.nodeType?.$case === 'externalEvent' ? nodeRun.nodeType.value.externalEventDefId?.name : undefined;
    if (id === undefined || defName === undefined || defName === '' || nodeRun.status < 0) return new Map();
    const prefix = keys.nodeRunIndexPrefix(ctx.partition, ctx.tenant, defName, nodeRun.status);
    return oneEntry(keys.nodeRunIndexKey(prefix, indexTimeMs(nodeRun.arrivalTime), id), IndexRecords.nodeRun.encode({ id }));
  },
};
