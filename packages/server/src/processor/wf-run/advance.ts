// The WfRun-level loop: advance every thread until a whole pass changes nothing, i.e. until the
// WfRun can only move again when another command arrives. Each pass first starts the interrupt and
// failure handlers whose threads have halted. A WfSpec that loops without waiting
// (NOPs around a cycle) is stopped after limits.maxAdvanceStepsPerCommand passes, as upstream does.
import { LHStatus } from '@filly/proto';
import type { RunRuntime } from './runtime.ts';
import { advanceThread } from './thread-advance.ts';
import { syncWfRunStatus } from './halt.ts';
import { ErrorName, newFailure } from './failures.ts';
import { tsFromMs } from './time.ts';
import { startPendingHandlers } from './pending-handlers.ts';
import { refreshWaitedThreadStatuses } from '../node-runs/wait-for-threads.ts';
import { archiveFinishedThreads } from './archival/archive-threads.ts';
import { maybeFinishMigration } from '../migration/lazy-migration.ts';

export function advanceWfRun(rt: RunRuntime): void {
  let changed = true;
  while (changed) {
    rt.advancePasses += 1;
    if (rt.advancePasses > rt.ctx.limits.maxAdvanceStepsPerCommand) {
      failTightLoop(rt);
      return;
    }
    archiveFinishedThreads(rt, true);
    changed = startPendingHandlers(rt);
    // Threads started during the pass are picked up by the next one.
    const threads = [...rt.wfRun.threadRuns];
    for (const thread of threads) changed = advanceThread(rt, thread) || changed;
    syncWfRunStatus(rt);
  }
  refreshWaitedThreadStatuses(rt);
  maybeFinishMigration(rt);
  archiveFinishedThreads(rt);
}

function failTightLoop(rt: RunRuntime): void {
  const entry = rt.thread(0);
  if (entry === undefined) throw new Error('WfRun without an entrypoint thread');
  const failure = newFailure(
    ErrorName.INTERNAL_ERROR,
    'Your WfSpec had a tight loop and exceeded the maximum iterations in one command.',
  );
  const nodeRun = rt.currentNodeRun(entry);
  nodeRun.failures.push(failure);
  nodeRun.status = LHStatus.ERROR;
  entry.status = LHStatus.ERROR;
  entry.errorMessage = failure.message;
  entry.endTime = tsFromMs(rt.nowMs);
  syncWfRunStatus(rt);
}
