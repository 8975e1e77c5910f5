// Thread archival: moving finished ThreadRuns out of their WfRun record into InactiveThreadRun
// records (same group, keys.inactiveThreadRunKey), so a WfRun that spawns many threads over its
// life does not grow without bound. GetWfRun then lists only the threads still held;
// greatest_threadrun_number keeps counting, and GetInactiveThreadRun serves the archived ones.
//
// Which threads: as upstream, only COMPLETED threads other than the entrypoint. ERROR and
// EXCEPTION threads stay, since RescueThreadRun or a failure handler may still act on them.
// When: at the end of every advance, a thread is archived if
//   - its ThreadSpec's ThreadRetentionPolicy time has passed (a timer, armed when the thread
//     completes, makes that happen on time even if nothing else moves the WfRun), or
//   - the WfRun holds more COMPLETED threads than limits.maxCompletedThreadRunsPerWfRun, or holds
//     90% of limits.maxThreadRunsPerWfRun threads (upstream's forced archival): then every
//     archivable thread goes at once.
// Nothing has to avoid referencing an archived thread: RunRuntime.thread(number) falls back to
// the archive, so parents, WAIT_FOR_THREADS, interrupts, failure handlers and variable scopes find
// archived threads exactly as upstream's WfRunModel.getThreadRun does.
import { ThreadType, type ThreadRun } from '@filly/proto';
import { LHStatus } from '@filly/proto';
import type { RunRuntime } from '../runtime.ts';
import { Records } from '../../records.ts';
import * as keys from '../../../store/keys.ts';
import { msFromTs } from '../time.ts';

/** Upstream forces archival once a WfRun holds this share of its thread limit. */
const FORCED_SHARE_PERCENT = 90;

/** Timers already armed per runtime (one command): several advances may see the same ending. */
const armedIn = new WeakMap<RunRuntime, Set<number>>();

export function isArchivable(thread: ThreadRun): boolean {
  return thread.status === LHStatus.COMPLETED && thread.number !== 0 && thread.type !== ThreadType.ENTRYPOINT;
}

/** When the thread's retention policy lets it be archived; undefined when it has none. */
export function retentionDueMs(rt: RunRuntime, thread: ThreadRun): number | undefined {
  const policy = rt.threadSpec(thread).retentionPolicy?.threadGcPolicy;
  if (policy?.$case !== 'secondsAfterThreadTermination') return undefined;
  const endMs = msFromTs(thread.endTime);
  if (endMs === undefined) return undefined;
  const seconds = policy.value < 0n ? 0 : Number(policy.value);
  return endMs + seconds * 1000;
}

/**
 * Archives what the rules above select; returns the numbers of the threads archived. With
 * `forcedOnly` (at the start of each advance pass, as upstream) only the size rules apply, so a
 * WfRun that spawns and finishes many threads in one command stays under its thread limit.
 */
export function archiveFinishedThreads(rt: RunRuntime, forcedOnly = false): number[] {
  const held = rt.wfRun.threadRuns;
  const limits = rt.ctx.limits;
  const nearLimit = held.length * 100 >= limits.maxThreadRunsPerWfRun * FORCED_SHARE_PERCENT;
  if (forcedOnly && !nearLimit && held.length <= limits.maxCompletedThreadRunsPerWfRun) return [];
  const candidates = held.filter(isArchivable);
  if (candidates.length === 0) return [];
  const forced = nearLimit || candidates.length > limits.maxCompletedThreadRunsPerWfRun;
  if (forcedOnly && !forced) return [];
  const chosen = new Set<number>();
  for (const thread of candidates) {
    const dueMs = retentionDueMs(rt, thread);
    if (forced || (dueMs !== undefined && dueMs <= rt.nowMs)) chosen.add(thread.number);
    else if (dueMs !== undefined) armTimer(rt, thread, dueMs);
  }
  if (chosen.size === 0) return [];
  const kept: ThreadRun[] = [];
  for (const thread of held) {
    if (!chosen.has(thread.number)) {
      kept.push(thread);
      continue;
    }
    const key = keys.inactiveThreadRunKey(rt.ctx.partition, rt.ctx.tenant, rt.wfRunId, thread.number);
    rt.put(Records.inactiveThreadRun, key, { threadRun: thread });
  }
  rt.wfRun.threadRuns = kept;
  return [...chosen];
}

/**
 * Arms the retention timer of a thread that completed in this command. A thread that completed
 * earlier already has its timer (or, in the rare case of two commands stamped with the same
 * millisecond, gets a second one: the timer only archives what is due, so that is harmless).
 */
function armTimer(rt: RunRuntime, thread: ThreadRun, dueMs: number): void {
  if (msFromTs(thread.endTime) !== rt.nowMs) return;
  let armed = armedIn.get(rt);
  if (armed === undefined) {
    armed = new Set();
    armedIn.set(rt, armed);
  }
  if (armed.has(thread.number)) return;
  armed.add(thread.number);
  rt.ctx.scheduleTimer(dueMs, { $case: 'archiveThreadRuns', value: { wfRunId: rt.wfRunId } });
}
