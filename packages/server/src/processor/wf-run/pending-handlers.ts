// Starting handler threads that wait on the WfRun: interrupt handlers (WfRun.pending_interrupts)
// and failure handlers (WfRun.pending_failures). Each starts only once the thread it serves has
// fully halted (its NodeRun and all its children stopped), as upstream does.
import { ThreadType, type ExternalEventId, type ThreadRun, type VariableValue } from '@filly/proto';
import type { RunRuntime } from './runtime.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { maybeFinishHalting } from './halt.ts';
import { NodeFailure } from './failures.ts';
import { putFailureOnThreadRun } from './failure-handling.ts';
import { startThread } from './start.ts';
import { NULL_VALUE } from './variables.ts';

/** The variable a handler thread receives its input in (event content, failure content, item). */
export const HANDLER_INPUT_VAR = 'INPUT';

/** True when any handler thread started (or failed to). */
export function startPendingHandlers(rt: RunRuntime): boolean {
  const interrupts = startInterrupts(rt);
  const failures = startFailureHandlers(rt);
  return interrupts || failures;
}

function inputsFor(rt: RunRuntime, parent: ThreadRun, handlerSpecName: string, input: VariableValue | undefined): Record<string, VariableValue> {
  // A handler starts on its parent's WfSpec version (they differ only mid-migration).
  const spec = rt.specOf(parent.wfSpecId).threadSpecs[handlerSpecName];
  if (spec === undefined) throw new Error(`handler ThreadSpec ${handlerSpecName} missing from WfSpec`);
  // A handler that declares variables gets the input; one that declares none gets nothing.
  return spec.variableDefs.length > 0 ? { [HANDLER_INPUT_VAR]: input ?? NULL_VALUE } : {};
}

function startInterrupts(rt: RunRuntime): boolean {
  const wfRun = rt.wfRun;
  let changed = false;
  // One interrupt per thread at a time; the oldest pending one of a thread goes first.
  const launchNow: typeof wfRun.pendingInterrupts = [];
  const claimed = new Set<number>();
  for (let i = wfRun.pendingInterrupts.length - 1; i >= 0; i--) {
    const pending = wfRun.pendingInterrupts[i];
    if (pending === undefined || claimed.has(pending.interruptedThreadId)) continue;
    const target = rt.thread(pending.interruptedThreadId);
    if (target === undefined || !maybeFinishHalting(rt, target)) continue;
    claimed.add(pending.interruptedThreadId);
    launchNow.unshift(pending);
    wfRun.pendingInterrupts.splice(i, 1);
    changed = true;
  }
  for (const pending of launchNow) {
    const target = rt.thread(pending.interruptedThreadId);
    const eventId = pending.externalEventId;
    if (target === undefined || eventId === undefined) throw new Error('pending interrupt without its thread or event');
    const event = rt.get(Records.externalEvent, keys.externalEventKey(rt.ctx.partition, rt.ctx.tenant, eventId));
    let handler: ThreadRun;
    try {
      handler = startThread(rt, pending.handlerSpecName, target.number, inputsFor(rt, target, pending.handlerSpecName, event?.content), ThreadType.INTERRUPT);
    } catch (err) {
      if (!(err instanceof NodeFailure)) throw err;
      putFailureOnThreadRun(rt, target, err.failure);
      continue;
    }
    handler.interruptTriggerId = eventId;
    target.haltReasons = target.haltReasons.filter(
      (r) => !(r.reason?.$case === 'pendingInterrupt' && sameEvent(r.reason.value.externalEventId, eventId)),
    );
    target.haltReasons.push({ reason: { $case: 'interrupted', value: { interruptThreadId: handler.number } } });
  }
  return changed;
}

function sameEvent(a: ExternalEventId | undefined, b: ExternalEventId): boolean {
  return a !== undefined && a.guid === b.guid && a.externalEventDefId?.name === b.externalEventDefId?.name;
}

function startFailureHandlers(rt: RunRuntime): boolean {
  const wfRun = rt.wfRun;
  let changed = false;
  for (let i = wfRun.pendingFailures.length - 1; i >= 0; i--) {
    const pending = wfRun.pendingFailures[i];
    if (pending === undefined) continue;
    const failed = rt.thread(pending.failedThreadRun);
    if (failed === undefined) throw new Error(`pending failure of missing thread ${pending.failedThreadRun}`);
    if (!maybeFinishHalting(rt, failed)) continue;
    changed = true;
    wfRun.pendingFailures.splice(i, 1);
    const nodeRun = rt.currentNodeRun(failed);
    const failure = nodeRun.failures[nodeRun.failures.length - 1];
    if (failure === undefined) throw new Error(`pending failure of thread ${failed.number} whose NodeRun has none`);
    let handler: ThreadRun;
    try {
      handler = startThread(rt, pending.handlerSpecName, failed.number, inputsFor(rt, failed, pending.handlerSpecName, failure.content), ThreadType.FAILURE_HANDLER);
    } catch (err) {
      if (!(err instanceof NodeFailure)) throw err;
      putFailureOnThreadRun(rt, failed, err.failure);
      continue;
    }
    nodeRun.failureHandlerIds.push(handler.number);
    handler.failureBeingHandled = {
      threadRunNumber: failed.number,
      nodeRunPosition: failed.currentNodePosition,
      failureNumber: nodeRun.failures.length - 1,
    };
    failure.failureHandlerThreadrunId = handler.number;
    failed.haltReasons = failed.haltReasons.filter((r) => r.reason?.$case !== 'pendingFailure');
    failed.haltReasons.push({ reason: { $case: 'handlingFailure', value: { handlerThreadId: handler.number } } });
    // Upstream lists a failure handler among the failed thread's children a second time here.
    failed.childThreadIds.push(handler.number);
  }
  return changed;
}
