// The dispatch queue of one (tenant, TaskDef): scheduled tasks waiting for a worker, and workers
// waiting for a task. Never both: a new task goes to the oldest waiting worker, a new worker takes
// the oldest task. Both sides are insertion-ordered maps, so removal by key is cheap.
import type { ScheduledTask } from '@filly/proto';
import type { TaskWaiter } from '../../engine/engine-api.ts';

export interface TaskQueueBounds {
  maxQueuedTasks: number;
  maxWaiters: number;
}

export type OfferResult = 'handed-out' | 'queued' | 'duplicate' | 'full';

export class TaskQueue {
  readonly #bounds: TaskQueueBounds;
  readonly #tasks = new Map<string, ScheduledTask>();
  readonly #waiters = new Map<number, TaskWaiter>();
  #nextWaiterId = 0;
  /** Handles the waiter callback throwing; set by the owner. */
  readonly #onWaiterError: (err: unknown) => void;

  constructor(bounds: TaskQueueBounds, onWaiterError: (err: unknown) => void) {
    this.#bounds = bounds;
    this.#onWaiterError = onWaiterError;
  }

  get taskCount(): number {
    return this.#tasks.size;
  }

  get waiterCount(): number {
    return this.#waiters.size;
  }

  get isEmpty(): boolean {
    return this.#tasks.size === 0 && this.#waiters.size === 0;
  }

  /** A task became available (scheduled, or rebuilt at start-up). */
  offer(key: string, task: ScheduledTask): OfferResult {
    if (this.#tasks.has(key)) return 'duplicate';
    const first = this.#waiters.entries().next();
    if (!first.done) {
      const [id, waiter] = first.value;
      this.#waiters.delete(id);
      this.#call(waiter, task);
      this.#assertInvariant();
      return 'handed-out';
    }
    if (this.#tasks.size >= this.#bounds.maxQueuedTasks) return 'full';
    this.#tasks.set(key, task);
    this.#assertInvariant();
    return 'queued';
  }

  /** The task was claimed or its WfRun went away. */
  remove(key: string): boolean {
    return this.#tasks.delete(key);
  }

  /**
   * Serves the waiter now if a task is queued, else parks it. Returns a cancel function, or
   * undefined when the waiter list is full.
   */
  wait(waiter: TaskWaiter): (() => void) | undefined {
    const first = this.#tasks.entries().next();
    if (!first.done) {
      const [key, task] = first.value;
      this.#tasks.delete(key);
      this.#call(waiter, task);
      return () => undefined;
    }
    if (this.#waiters.size >= this.#bounds.maxWaiters) return undefined;
    const id = this.#nextWaiterId++;
    this.#waiters.set(id, waiter);
    this.#assertInvariant();
    return () => {
      this.#waiters.delete(id);
    };
  }

  #call(waiter: TaskWaiter, task: ScheduledTask): void {
    try {
      waiter(task);
    } catch (err) {
      this.#onWaiterError(err);
    }
  }

  #assertInvariant(): void {
    if (this.#tasks.size > 0 && this.#waiters.size > 0) throw new Error('task queue has both queued tasks and waiting pollers');
  }
}
