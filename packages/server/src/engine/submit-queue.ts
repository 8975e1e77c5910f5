// Commands accepted by submit() and waiting for the loop to take them, bounded by
// limits.maxPendingCommands. The loop takes them in arrival order, a batch at a time.
import type { CommandOutcome } from './engine-api.ts';

export interface PendingCommand {
  /** The encoded command: what goes into the log, and what is applied (so replay sees the same). */
  payload: Uint8Array;
  resolve: (outcome: CommandOutcome) => void;
  reject: (err: Error) => void;
}

export class SubmitQueue {
  readonly capacity: number;
  #items: PendingCommand[] = [];
  #head = 0;
  #wake: (() => void) | undefined;

  constructor(capacity: number) {
    if (!(capacity > 0)) throw new Error('maxPendingCommands must be positive');
    this.capacity = capacity;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** False when the queue is full. */
  push(item: PendingCommand): boolean {
    if (this.length >= this.capacity) return false;
    this.#items.push(item);
    this.notify();
    return true;
  }

  take(max: number): PendingCommand[] {
    const n = Math.min(max, this.length);
    const out = this.#items.slice(this.#head, this.#head + n);
    this.#head += n;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
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
