// What follows a WfRun's status change (called from syncWfRunStatus, once per change). On reaching
// COMPLETED, ERROR or EXCEPTION: the WfSpec's retention policy arms the deletion of the WfRun, and
// a child WfRun tells its parent, which may be waiting for it at a WAIT_FOR_CHILD_WF node. The
// parent lives in the same group, but is advanced by a follow-up command rather than here: the
// parent may itself be mid-advance in this very command (a RUN_CHILD_WF whose child ends at once).
import type { RunRuntime } from './runtime.ts';
import { isTerminatedStatus } from './thread-status.ts';
import { scheduleRetention } from '../retention/wf-run-retention.ts';

export function onWfRunStatusChanged(rt: RunRuntime): void {
  if (!isTerminatedStatus(rt.wfRun.status)) return;
  scheduleRetention(rt);
  const parent = rt.wfRunId.parentWfRunId;
  if (parent !== undefined) {
    rt.ctx.sendCommand({ $case: 'childWfRunTerminated', value: { parentWfRunId: parent, childWfRunId: rt.wfRunId } });
  }
}
