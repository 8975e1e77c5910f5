// Commands accepted by submit() and waiting for the loop to take them, each lane bounded by
// limits.maxPendingCommands. Three lanes, taken in this order: fired timers (they have a due time
// to keep), then commands that move work already in the system forward (task claims and
// reports), then new work (RunWf and other requests). So a busy server fires timers close to
// their due time and finishes what it started before taking on more, instead of letting a stream
// of new WfRuns delay them. Within a lane, arrival order. Reordering pending commands is safe:
// none of them has been answered, so no caller can have ordered them.
import type { Command } from '@filly/proto/internal';
import { isTimerFired } from '../commands/fired-timer.ts';
import type { CommandOutcome } from './engine-api.ts';

export type CommandLane = 'timer' | 'urgent' | 'new';

/** The lane a command waits in (see the file comment). */
export function laneOf(command: Command): CommandLane {
  if (isTimerFired(command)) return 'timer';
  const kind = command.body?.$case;
  return kind === 'taskClaimEvent' || kind === 'reportTaskRun' ? 'urgent' : 'new';
}

export interface PendingCommand {
  /** The encoded command: what goes into the log, and what is applied (so replay sees the same). */
  payload: Uint8Array;
  resolve: (outcome: CommandOutcome) => void;
  reject: (err: Error) => void;
  /** Where it waits (see the file comment); 'new' when absent. */
  lane?: CommandLane;
}

const LANE_ORDER: readonly CommandLane[] = ['timer', 'urgent', 'new'];

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

  /** Returns items taken earlier to the front, in their order (they were in this lane before). */
  putBack(items: readonly PendingCommand[]): void {
    if (items.length === 0) return;
    if (items.length <= this.#head) {
      this.#head -= items.length;
      for (let i = 0; i < items.length; i++) this.#items[this.#head + i] = items[i]!;
      return;
    }
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
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
  readonly #lanes: Record<CommandLane, Lane> = { timer: new Lane(), urgent: new Lane(), new: new Lane() };
  #wake: (() => void) | undefined;

  constructor(capacity: number) {
    if (!(capacity > 0)) throw new Error('maxPendingCommands must be positive');
    this.capacity = capacity;
  }

  get length(): number {
    return this.#lanes.timer.length + this.#lanes.urgent.length + this.#lanes.new.length;
  }

  /** False when the item's lane is full (each lane holds up to capacity commands). */
  push(item: PendingCommand): boolean {
    const lane = this.#lanes[item.lane ?? 'new'];
    if (lane.length >= this.capacity) return false;
    lane.push(item);
    this.notify();
    return true;
  }

  /** Up to max commands, lane by lane in priority order, each lane in arrival order. */
  take(max: number): PendingCommand[] {
    const out: PendingCommand[] = [];
    for (const lane of LANE_ORDER) this.#lanes[lane].takeInto(out, max);
    return out;
  }

  /**
   * Returns commands take() handed out and that were not applied, ahead of everything queued
   * since, each to its own lane in the order given. Not bounded by capacity: they held their
   * places before.
   */
  putBack(items: readonly PendingCommand[]): void {
    for (const lane of LANE_ORDER) this.#lanes[lane].putBack(items.filter((p) => (p.lane ?? 'new') === lane));
    if (items.length > 0) this.notify();
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
