// Commands accepted by submit() and waiting for the loop to take them, each lane bounded by
// limits.maxPendingCommands. Two lanes: commands that move work already in the system forward
// (fired timers, task claims and reports) go before new work (RunWf and other requests), so a
// busy server finishes what it started, and timers fire close to their due time, instead of
// letting a stream of new WfRuns delay them. Within a lane, arrival order. Reordering pending
// commands is safe: none of them has been answered, so no caller can have ordered them.
import type { Command } from '@filly/proto/internal';
import type { CommandOutcome } from './engine-api.ts';

/** True for a command that advances work already in the system (the urgent lane). */
export function advancesExistingWork(command: Command): boolean {
  if (command.firedTimerKey !== undefined && command.firedTimerKey.length > 0) return true;
  const kind = command.body?.$case;
  return kind === 'taskClaimEvent' || kind === 'reportTaskRun';
}

export interface PendingCommand {
  /** The encoded command: what goes into the log, and what is applied (so replay sees the same). */
  payload: Uint8Array;
  resolve: (outcome: CommandOutcome) => void;
  reject: (err: Error) => void;
  /** Advances existing work (see the file comment); taken before the others. */
  urgent?: boolean;
}

/** A FIFO with amortised O(1) shift. */
class Lane {
  #items: PendingCommand[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: PendingCommand): void {
    this.#items.push(item);
  }

  takeInto(out: PendingCommand[], max: number): void {
    const n = Math.min(max - out.length, this.length);
    for (let i = 0; i < n; i++) out.push(this.#items[this.#head + i]!);
    this.#head += n;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

export class SubmitQueue {
  readonly capacity: number;
  readonly #urgent = new Lane();
  readonly #normal = new Lane();
  #wake: (() => void) | undefined;

  constructor(capacity: number) {
    if (!(capacity > 0)) throw new Error('maxPendingCommands must be positive');
    this.capacity = capacity;
  }

  get length(): number {
    return this.#urgent.length + this.#normal.length;
  }

  /** False when the item's lane is full (each lane holds up to capacity commands). */
  push(item: PendingCommand): boolean {
    const lane = item.urgent === true ? this.#urgent : this.#normal;
    if (lane.length >= this.capacity) return false;
    lane.push(item);
    this.notify();
    return true;
  }

  /** Up to max commands: urgent ones first, then the others, each lane in arrival order. */
  take(max: number): PendingCommand[] {
    const out: PendingCommand[] = [];
    this.#urgent.takeInto(out, max);
    this.#normal.takeInto(out, max);
    return out;
  }

  /** Resolves when something is queued or notify() is called. */
  waitForWork(): Promise<void> {
    if (this.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
