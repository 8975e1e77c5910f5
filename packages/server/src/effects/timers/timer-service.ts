// Fires stored timers: one PartitionTimers per partition, each with a single Node timer armed for
// its earliest due time. A due timer's command goes through the engine like any other command,
// with time_ms = the due time (set when the timer was scheduled).
import { PartitionTimers, type TimerDeps } from './partition-timers.ts';

export type TimerServiceOptions = TimerDeps;

export const DEFAULT_TIMER_BOUNDS = { maxLoaded: 10_000, maxFiring: 1_000, retryDelayMs: 200 } as const;

export class TimerService {
  /** Indexed by partition number (partitions are 0 .. count - 1). */
  readonly #partitions: readonly PartitionTimers[];
  readonly #nowMs: () => number;

  constructor(partitionCount: number, deps: TimerServiceOptions) {
    if (!Number.isSafeInteger(partitionCount) || partitionCount <= 0) throw new Error(`bad partition count ${partitionCount}`);
    this.#partitions = Array.from({ length: partitionCount }, (_, p) => new PartitionTimers(p, deps));
    this.#nowMs = deps.nowMs;
  }

  /** Loads the earliest timers of every partition from the store and arms them. */
  async start(): Promise<void> {
    await Promise.all(this.#partitions.map((p) => p.start()));
  }

  /** See PartitionTimers.onScheduled for when `bytes` may be given. */
  onScheduled(partition: number, key: string, dueMs: number, bytes?: Uint8Array): void {
    const timers = this.partition(partition);
    if (!timers) throw new Error(`timer for unknown partition ${partition}`);
    timers.onScheduled(key, dueMs, bytes);
  }

  /** See PartitionTimers.fireDueNow. */
  fireDueNow(): void {
    // Called once per batch: one clock read, as most calls find nothing due.
    const nowMs = this.#nowMs();
    for (const p of this.#partitions) p.fireDueNow(nowMs);
  }

  /** A pending timer's record was deleted (see PartitionTimers.onCancelled). */
  onCancelled(partition: number, key: string): void {
    this.partition(partition)?.onCancelled(key);
  }

  partition(partition: number): PartitionTimers | undefined {
    return this.#partitions[partition];
  }

  stop(): void {
    for (const p of this.#partitions) p.stop();
  }
}
