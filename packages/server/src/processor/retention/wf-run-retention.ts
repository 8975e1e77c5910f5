// WorkflowRetentionPolicy: a WfRun that terminates is deleted seconds_after_wf_termination later,
// by a DeleteWfRun fired from a timer of its own partition (the same delete a caller can ask for,
// so it removes the WfRun and everything it owns). Unset: kept forever.
import type { RunRuntime } from '../wf-run/runtime.ts';
import { msFromTs } from '../wf-run/time.ts';

export function scheduleRetention(rt: RunRuntime): void {
  const policy = rt.wfSpec.retentionPolicy?.wfGcPolicy;
  if (policy?.$case !== 'secondsAfterWfTermination') return;
  const endMs = msFromTs(rt.wfRun.endTime) ?? rt.nowMs;
  const dueMs = endMs + Number(policy.value) * 1000;
  rt.ctx.scheduleTimer(dueMs, { $case: 'deleteWfRun', value: { id: rt.wfRunId } });
}
