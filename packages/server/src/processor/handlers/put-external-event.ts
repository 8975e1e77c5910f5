// PutExternalEvent: stores the event (even for a WfRun that does not exist yet: it waits to be
// claimed), interrupts the threads whose ThreadSpec has it as an interrupt, then lets a waiting
// EXTERNAL_EVENT node claim it. Answers the stored ExternalEvent.
import { ExternalEvent, type ExternalEventId, type PutExternalEventRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { alreadyExists, invalidArgument } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { externalEventDefByName } from '../metadata-reads.ts';
import { checkAgainstType } from '../wf-run/type-check.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';
import { NULL_VALUE } from '../wf-run/variables.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { triggerInterrupts } from '../wf-run/interrupts.ts';
import { updateIndexes } from '../search-index/update-indexes.ts';

export function putExternalEvent(ctx: ProcessorContext, req: PutExternalEventRequest): HandlerResult {
  const wfRunId = req.wfRunId;
  if (wfRunId === undefined || wfRunId.id === '') throw invalidArgument('Missing wf_run_id');
  const defName = req.externalEventDefId?.name ?? '';
  const def = defName === '' ? undefined : externalEventDefByName(ctx, ctx.tenant, defName);
  if (def === undefined) throw invalidArgument(`No ExternalEventDef named ${defName}`);

  const id: ExternalEventId = { wfRunId, externalEventDefId: { name: defName }, guid: req.guid ?? ctx.newGuid() };
  const key = keys.externalEventKey(ctx.partition, ctx.tenant, id);
  // The guid is the idempotency key: a retried put finds its first attempt here.
  if (ctx.get(Records.externalEvent, key) !== undefined) throw alreadyExists('ExternalEvent already exists');

  const contentType = def.typeInformation?.returnType;
  const content = req.content ?? NULL_VALUE;
  if (contentType !== undefined) {
    const problem = checkAgainstType(content, contentType, structDefLookupOf(ctx, ctx.tenant));
    if (problem !== undefined) {
      throw invalidArgument(
        `Invalid type of content for event. Check the return type of ExternalEventDef ${defName}: ${problem}`,
      );
    }
  }
  const event: ExternalEvent = {
    id,
    createdAt: tsFromMs(ctx.nowMs),
    content,
    threadRunNumber: req.threadRunNumber,
    nodeRunPosition: req.nodeRunPosition,
    claimed: false,
  };
  ctx.put(Records.externalEvent, key, event);
  updateIndexes(ctx, Records.externalEvent, undefined, event);

  const gc = def.retentionPolicy?.extEvtGcPolicy;
  if (gc?.$case === 'secondsAfterPut') {
    ctx.scheduleTimer(ctx.nowMs + Number(gc.value) * 1000, { $case: 'deleteExternalEvent', value: { id } });
  }

  const rt = RunRuntime.load(ctx, wfRunId);
  if (rt !== undefined) {
    triggerInterrupts(rt, key, event);
    advanceWfRun(rt);
    rt.flush();
  }
  const stored = ctx.get(Records.externalEvent, key);
  if (stored === undefined) throw new Error('ExternalEvent vanished while being put');
  return ExternalEvent.encode(stored).finish();
}
