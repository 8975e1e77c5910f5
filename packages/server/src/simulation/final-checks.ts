// Checks made when the simulated engine is idle: the live store equals a store rebuilt by
// replaying the whole durable log from empty; every stored task and timer is known to the
// in-memory dispatch (else it would never run until a restart); every WfRun has finished or
// was stopped (nothing is stuck).
import { LHStatus, WfRun } from '@filly/proto';
import type { Limits } from '../config/limits.ts';
import { BatchApplier, type ApplyFn } from '../engine/batch-applier.ts';
import type { EngineLogger } from '../engine/engine-logger.ts';
import { replayLog } from '../engine/replay.ts';
import type { SegmentLog } from '../log/segment-log.ts';
import { scheduledTaskPrefix, timerPrefix } from '../store/keys.ts';
import { parseScheduledTaskKey } from '../store/key-space.ts';
import type { KvEntry } from '../store/kv-store.ts';
import { MemoryKv } from '../store/memory-kv.ts';
import { StateCache } from '../store/state-cache.ts';
import { recordKindOf } from './record-checks.ts';
import type { SimEngine } from './sim-engine.ts';
import type { SimLog } from './sim-log.ts';
import { dump } from './sim-store.ts';
import { lhStatusName } from './status-transitions.ts';
import { InvariantViolation } from './sim-types.ts';

export interface ReplaySetup {
  apply: ApplyFn;
  limits: Limits;
  partitionCount: number;
  logger: EngineLogger;
}

/** The state a fresh engine would build from the durable log alone. */
export async function replayFromEmpty(log: SimLog, setup: ReplaySetup): Promise<KvEntry[]> {
  const kv = new MemoryKv();
  const cache = new StateCache(setup.limits.maxCachedWfRuns);
  const applier = new BatchApplier(cache, kv, setup.apply, setup.limits, setup.logger, setup.partitionCount);
  let seq = 0;
  await replayLog({
    // replayLog reads only log.read(); see sim-engine.ts.
    log: log as unknown as SegmentLog,
    from: 0,
    applier,
    cache,
    kv,
    maxCommandsPerBatch: setup.limits.maxCommandsPerBatch,
    nextBatchSeq: () => ++seq,
  });
  return dump(kv);
}

export function compareStores(live: readonly KvEntry[], replayed: readonly KvEntry[]): void {
  const n = Math.max(live.length, replayed.length);
  for (let i = 0; i < n; i++) {
    const a = live[i];
    const b = replayed[i];
    if (a?.key !== b?.key) {
      const missing = a === undefined || (b !== undefined && b.key < a.key) ? `replay has ${b?.key} that the live store lacks` : `the live store has ${a.key} that replay lacks`;
      throw new InvariantViolation('replay-equals-live', `${missing} (entry ${i})`);
    }
    if (!Buffer.from(a!.value).equals(Buffer.from(b!.value))) {
      throw new InvariantViolation('replay-equals-live', `${a!.key} differs between the live store and a replay of the log`);
    }
  }
}

/** Every stored scheduled task is queued for dispatch; every stored timer is held by the wheel. */
export async function checkDispatch(engine: SimEngine, rows: readonly KvEntry[], partitionCount: number, tenant: string): Promise<void> {
  const storedByDef = new Map<string, number>();
  for (let p = 0; p < partitionCount; p++) {
    const taskPrefix = scheduledTaskPrefix(p);
    const tPrefix = timerPrefix(p);
    for (const row of rows) {
      if (row.key.startsWith(taskPrefix)) {
        const { taskDefName } = parseScheduledTaskKey(row.key);
        storedByDef.set(taskDefName, (storedByDef.get(taskDefName) ?? 0) + 1);
      } else if (row.key.startsWith(tPrefix) && !engine.timers.holds(row.key)) {
        throw new InvariantViolation('dispatch', `timer ${row.key} is stored but the timer wheel does not know it`);
      }
    }
  }
  for (const [name, stored] of storedByDef) {
    const queued = engine.tasks.queuedCount(tenant, name);
    if (queued !== stored) {
      throw new InvariantViolation('dispatch', `${stored} tasks of ${name} are stored as scheduled but ${queued} are queued for workers`);
    }
  }
}

const SETTLED: ReadonlySet<number> = new Set([LHStatus.COMPLETED, LHStatus.ERROR, LHStatus.EXCEPTION, LHStatus.HALTED]);

/** After the drain nothing may be left running: every WfRun finished or was stopped. */
export function checkProgress(rows: readonly KvEntry[]): void {
  for (const row of rows) {
    if (recordKindOf(row.key) !== 'wfrun') continue;
    const run = WfRun.decode(row.value);
    if (!SETTLED.has(run.status)) {
      throw new InvariantViolation('progress', `WfRun ${run.id?.id} is still ${lhStatusName(run.status)} after the drain`);
    }
  }
}
