// Shapes shared by the simulation's parts.
import type { CommandOutcome } from '../engine/engine-api.ts';

/**
 * What a caller of submit() learns. `acked` means the engine answered with the handler's outcome
 * (the promise of Engine.submit resolved); otherwise the caller saw an error (the promise
 * rejected, or the connection dropped) and cannot know whether the command took effect.
 */
export type Delivery =
  | { acked: true; logged: boolean; outcome: CommandOutcome }
  | { acked: false; reason: string };

/** Deliberate bugs, so that a test can show the simulation catches them. All off normally. */
export interface SimBugs {
  /** Answer a batch as soon as its records are written, before the fsync. */
  ackBeforeSync?: boolean;
  /** Leave the apply checkpoint out of the store write: restarts replay from the start. */
  skipCheckpoint?: boolean;
  /** The timer wheel forgets which timers it is firing and fires them again. */
  doubleFireTimers?: boolean;
  /** The processor reads a counter that replay does not reproduce. */
  nondeterministicApply?: boolean;
  /** The store silently drops writes of WfRun records. */
  storeDropsWfRuns?: boolean;
}

export interface SimFaults {
  /** Probability per step of a crash (then recovery). */
  crash: number;
  /** Probability per step that RocksDB flushes its memtables. */
  storeFlush: number;
  /** Probability per step that the next log append fails (the engine probes and recovers). */
  logWriteFailure: number;
  /** Probability per step that the next store writes fail (3 in a row: the engine reopens the store and replays the log). */
  storeWriteFailure: number;
}

export interface SimOptions {
  seed: number;
  /** Workload steps before the final drain. */
  steps: number;
  partitionCount: number;
  faults: SimFaults;
  bugs: SimBugs;
  /** Small caches and queues make eviction and back-pressure happen. */
  maxCachedWfRuns: number;
  maxPendingCommands: number;
  maxCommandsPerBatch: number;
  /** Check every invariant after every step (slower); otherwise after batches and at recovery. */
  paranoid: boolean;
  /** Print one line per step. */
  trace: boolean;
  /**
   * The fix proposed for ingress/task-worker/poll-task.ts: a claim that failed for any reason but
   * "already claimed" puts its task back in the queue. Off = what poll-task.ts does today.
   */
  requeueFailedClaims: boolean;
}

export const DEFAULT_FAULTS: SimFaults = { crash: 0.02, storeFlush: 0.05, logWriteFailure: 0.005, storeWriteFailure: 0.004 };

export function defaultOptions(seed: number, overrides: Partial<SimOptions> = {}): SimOptions {
  return {
    seed,
    steps: 400,
    partitionCount: 3,
    faults: DEFAULT_FAULTS,
    bugs: {},
    maxCachedWfRuns: 3,
    maxPendingCommands: 40,
    maxCommandsPerBatch: 8,
    paranoid: false,
    trace: false,
    requeueFailedClaims: true,
    ...overrides,
  };
}

export class InvariantViolation extends Error {
  readonly invariant: string;
  constructor(invariant: string, message: string) {
    super(`${invariant}: ${message}`);
    this.invariant = invariant;
  }
}

export interface SimResult {
  seed: number;
  ok: boolean;
  /** Step at which the first violation was seen (steps counted from 1). */
  failedStep?: number;
  invariant?: string;
  message?: string;
  steps: number;
  digest: string;
  stats: Record<string, number>;
}
