// What deleting a WfRun does beyond its own records (handlers/delete-wf-run.ts):
//   - its child WfRuns (and theirs) live in the same group and go with it: a child without its
//     parent could never report to anyone, and nothing could reach it by the parent's id;
//   - deleting a child on its own wakes a parent that waits for it at WAIT_FOR_CHILD_WF, which
//     then fails with CHILD_FAILURE ("not found") instead of waiting forever;
//   - correlation markers of its still-waiting correlated EXTERNAL_EVENT NodeRuns are released.
import type { DeleteWfRunRequest, WfRun, WfRunId } from '@filly/proto';
import type { HandlerResult, ProcessorContext, RecordCodec } from '../context.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { releaseCorrelationMarkers } from '../correlation/release-markers.ts';
import { isTerminatedStatus } from './thread-status.ts';

type DeleteOne = (ctx: ProcessorContext, req: DeleteWfRunRequest) => HandlerResult;

/**
 * Runs before the WfRun's own records are deleted. `deleteOne` is the DeleteWfRun handler itself,
 * applied to each direct child (which recurses into grandchildren; WfRunIds nest at most 32 deep).
 */
export function deleteWfRunFamily(ctx: ProcessorContext, wfRun: WfRun, deleteOne: DeleteOne): void {
  const id = wfRun.id;
  if (id === undefined) throw new Error('stored WfRun without id');
  for (const childId of directChildren(ctx, id)) deleteOne(ctx, { id: childId });
  releaseCorrelationMarkers(ctx, id);
  const parentId = id.parentWfRunId;
  const waitedFor = wfRun.parentTrigger?.waitingNodeRun !== undefined;
  if (parentId !== undefined && waitedFor && !isTerminatedStatus(wfRun.status)) {
    ctx.sendCommand({ $case: 'childWfRunTerminated', value: { parentWfRunId: parentId, childWfRunId: id } });
  }
}

function directChildren(ctx: ProcessorContext, id: WfRunId): WfRunId[] {
  const out: WfRunId[] = [];
  const prefix = keys.wfRunDescendantsPrefix(ctx.partition, ctx.tenant, id);
  // Grandchildren have another '_' after the prefix; only direct children are decoded.
  for (const { key } of ctx.scan(rawBytes, prefix)) {
    if (key.indexOf('_', prefix.length) !== -1) continue;
    const child = ctx.get(Records.wfRun, key)?.id;
    if (child !== undefined) out.push(child);
  }
  return out;
}

const rawBytes: RecordCodec<Uint8Array> = { name: 'raw', encode: (v) => v, decode: (b) => b };
