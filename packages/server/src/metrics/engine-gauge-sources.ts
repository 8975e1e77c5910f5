// Where each engine's gauges are read from: only public surfaces of the engines, so that metrics
// never reach into an engine's private state.
import type { Engine } from '../engine/engine.ts';
import type { TaskDispatch } from '../engine/engine-api.ts';
import { TaskQueues } from '../effects/task-queues/task-queues.ts';
import type { EngineGaugeSource, QueuedTaskCount } from './engine-gauges.ts';

/**
 * Counts the embedded engine keeps privately. They are read only when the engine exposes them
 * under these names, so the gauges appear once it does and are absent (not 0) until then.
 */
interface OptionalEngineCounts {
  readonly pendingCommandCount?: number;
  readonly cachedWfRunCount?: number;
}

export function embeddedGaugeSource(engine: Engine): EngineGaugeSource {
  const counts = engine as Engine & OptionalEngineCounts;
  const partitions: number[] = [];
  for (let p = 0; p < engine.partitionCount; p++) partitions.push(p);
  const sumTimers = (read: (p: number) => number): (() => number) => () => partitions.reduce((sum, p) => sum + read(p), 0);
  return {
    ...(typeof counts.pendingCommandCount === 'number' ? { pendingCommands: () => counts.pendingCommandCount ?? 0 } : {}),
    ...(typeof counts.cachedWfRunCount === 'number' ? { cachedWfRuns: () => counts.cachedWfRunCount ?? 0 } : {}),
    timersLoaded: sumTimers((p) => engine.timers.partition(p)?.loadedCount ?? 0),
    timersFiring: sumTimers((p) => engine.timers.partition(p)?.firingCount ?? 0),
    ...taskGaugeSource(engine.tasks),
  };
}

/** The per-TaskDef queue sizes, for any engine whose dispatch is this instance's TaskQueues. */
export function taskGaugeSource(tasks: TaskDispatch): EngineGaugeSource {
  if (!(tasks instanceof TaskQueues)) return {};
  return { queuedTasks: (): QueuedTaskCount[] => tasks.queueSizes() };
}
