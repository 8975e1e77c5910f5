// The WfRun search index (keys.wfRunSearchKey): written whenever a WfRun is created or changes
// status, removed with the WfRun. SearchWfRun at ingress scans it instead of every WfRun.
import type { WfRun } from '@filly/proto';
import { WfRunSearchEntry } from '@filly/proto/internal';
import type { ProcessorContext, RecordCodec } from '../context.ts';
import * as keys from '../../store/keys.ts';
import { msFromTs } from './time.ts';

export const wfRunSearchEntryCodec: RecordCodec<WfRunSearchEntry> = {
  name: 'WfRunSearchEntry',
  encode: (v) => WfRunSearchEntry.encode(v).finish(),
  decode: (b) => WfRunSearchEntry.decode(b),
};

function searchKeys(ctx: ProcessorContext, wfRun: WfRun): string[] {
  const id = wfRun.id;
  const specName = wfRun.wfSpecId?.name;
  if (id === undefined || specName === undefined) throw new Error('a WfRun without id or WfSpec cannot be indexed');
  const startMs = msFromTs(wfRun.startTime) ?? 0;
  return [
    keys.wfRunSearchKey(ctx.partition, ctx.tenant, undefined, startMs, id),
    keys.wfRunSearchKey(ctx.partition, ctx.tenant, specName, startMs, id),
  ];
}

export function writeWfRunSearchEntries(ctx: ProcessorContext, wfRun: WfRun): void {
  const entry: WfRunSearchEntry = {
    id: wfRun.id,
    status: wfRun.status,
    majorVersion: wfRun.wfSpecId?.majorVersion ?? 0,
    revision: wfRun.wfSpecId?.revision ?? 0,
  };
  for (const key of searchKeys(ctx, wfRun)) ctx.put(wfRunSearchEntryCodec, key, entry);
}

export function deleteWfRunSearchEntries(ctx: ProcessorContext, wfRun: WfRun): void {
  for (const key of searchKeys(ctx, wfRun)) ctx.delete(key);
}
