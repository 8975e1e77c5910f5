// Interrupts: an ExternalEvent whose def is one of a thread's InterruptDefs halts that thread
// (and its children) with a pending_interrupt reason and queues a PendingInterrupt on the WfRun;
// the INTERRUPT handler thread starts once the thread has halted (pending-handlers.ts), and the
// thread resumes when the handler completes.
import type { ExternalEvent } from '@filly/proto';
import type { RunRuntime } from './runtime.ts';
import { Records } from '../records.ts';
import { haltThread } from './halt.ts';
import { isTerminated } from './thread-status.ts';

/** Applies a newly stored event to every thread it interrupts. True when it interrupted any. */
export function triggerInterrupts(rt: RunRuntime, eventKey: string, stored: ExternalEvent): boolean {
  const event = rt.adopt(Records.externalEvent, eventKey, stored);
  const eventId = event.id;
  const defName = eventId?.externalEventDefId?.name;
  if (eventId === undefined || defName === undefined) throw new Error('ExternalEvent without id');
  let interrupted = false;
  // Threads started while halting (none should be) are not interrupted by this event.
  for (const thread of [...rt.wfRun.threadRuns]) {
    if (event.threadRunNumber !== undefined && event.threadRunNumber !== thread.number) continue;
    const idef = rt.threadSpec(thread).interruptDefs.find((d) => d.externalEventDefId?.name === defName);
    if (idef === undefined || isTerminated(thread)) continue;
    event.claimed = true;
    rt.put(Records.externalEvent, eventKey, event);
    haltThread(rt, thread, { reason: { $case: 'pendingInterrupt', value: { externalEventId: eventId } } });
    rt.wfRun.pendingInterrupts.push({ externalEventId: eventId, interruptedThreadId: thread.number, handlerSpecName: idef.handlerSpecName });
    interrupted = true;
  }
  return interrupted;
}
