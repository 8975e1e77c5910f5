// Outcomes of committed commands, for the callers waiting on them. A caller may start waiting
// after the command committed (its wait travels over the network while the owner works), so
// outcomes are kept for a while; both the waiters and the kept outcomes are bounded.
import { Code } from '../processor/api-error.ts';
import type { CommandOutcome } from '../engine/engine-api.ts';

export interface OutcomeBounds {
  /** Outcomes kept for late waiters. */
  maxKept: number;
  /** How long an outcome is kept. */
  keepMs: number;
  /** Callers waiting at once. */
  maxWaiters: number;
}

/** The outcome a waiter gets when the partition moves away: the caller waits again at the new owner. */
export const PARTITION_MOVED: CommandOutcome = { ok: false, code: Code.FAILED_PRECONDITION, message: 'partition-moved: this instance no longer owns the partition' };

export function isMoved(outcome: CommandOutcome): boolean {
  return !outcome.ok && !PARTITION_MOVED.ok && outcome.code === PARTITION_MOVED.code && outcome.message === PARTITION_MOVED.message;
}

interface Waiter {
  partition: number;
  resolve: (outcome: CommandOutcome) => void;
  timer: NodeJS.Timeout;
}

export class CommandOutcomes {
  readonly #bounds: OutcomeBounds;
  readonly #nowMs: () => number;
  /** Insertion order is completion order, so the oldest are first. */
  readonly #kept = new Map<string, { outcome: CommandOutcome; atMs: number }>();
  readonly #waiters = new Map<string, Waiter[]>();
  #waiterCount = 0;

  constructor(bounds: OutcomeBounds, nowMs: () => number = Date.now) {
    this.#bounds = bounds;
    this.#nowMs = nowMs;
  }

  get waiterCount(): number {
    return this.#waiterCount;
  }

  complete(commandId: string, outcome: CommandOutcome): void {
    const waiters = this.#waiters.get(commandId);
    if (waiters) {
      this.#waiters.delete(commandId);
      for (const w of waiters) this.#settle(w, outcome);
    }
    this.#kept.delete(commandId);
    this.#kept.set(commandId, { outcome, atMs: this.#nowMs() });
    this.#trim();
  }

  wait(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome> {
    const kept = this.#kept.get(commandId);
    if (kept) return Promise.resolve(kept.outcome);
    if (this.#waiterCount >= this.#bounds.maxWaiters) {
      return Promise.resolve({ ok: false, code: Code.RESOURCE_EXHAUSTED, message: 'Too many requests are waiting for their commands; retry later.' });
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        partition,
        resolve,
        timer: setTimeout(() => {
          this.#remove(commandId, waiter);
          resolve({ ok: false, code: Code.DEADLINE_EXCEEDED, message: 'Could not process the command in time; it may still be applied.' });
        }, Math.max(0, timeoutMs)),
      };
      const list = this.#waiters.get(commandId) ?? [];
      list.push(waiter);
      this.#waiters.set(commandId, list);
      this.#waiterCount++;
    });
  }

  /** Ends every wait on a partition this instance no longer owns, with `outcome`. */
  releasePartition(partition: number, outcome: CommandOutcome): void {
    for (const [commandId, list] of [...this.#waiters]) {
      const leaving = list.filter((w) => w.partition === partition);
      if (leaving.length === 0) continue;
      const staying = list.filter((w) => w.partition !== partition);
      if (staying.length === 0) this.#waiters.delete(commandId);
      else this.#waiters.set(commandId, staying);
      for (const w of leaving) this.#settle(w, outcome);
    }
  }

  close(outcome: CommandOutcome): void {
    for (const list of this.#waiters.values()) for (const w of list) this.#settle(w, outcome);
    this.#waiters.clear();
  }

  #settle(waiter: Waiter, outcome: CommandOutcome): void {
    clearTimeout(waiter.timer);
    this.#waiterCount--;
    waiter.resolve(outcome);
  }

  #remove(commandId: string, waiter: Waiter): void {
    const list = this.#waiters.get(commandId);
    if (!list) return;
    const i = list.indexOf(waiter);
    if (i < 0) return;
    list.splice(i, 1);
    this.#waiterCount--;
    if (list.length === 0) this.#waiters.delete(commandId);
  }

  #trim(): void {
    const oldestAllowed = this.#nowMs() - this.#bounds.keepMs;
    for (const [id, kept] of this.#kept) {
      if (this.#kept.size <= this.#bounds.maxKept && kept.atMs >= oldestAllowed) break;
      this.#kept.delete(id);
    }
  }
}
