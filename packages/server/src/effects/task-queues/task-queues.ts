// TaskDispatch for this instance: one TaskQueue per (tenant, TaskDef), fed by commit effects and
// rebuilt at start-up from the stored scheduled tasks. Queues that become empty are dropped, so
// memory follows what is actually waiting.
import type { ScheduledTask } from '@filly/proto';
import type { TaskDispatch, TaskWaiter } from '../../engine/engine-api.ts';
import type { EngineLogger } from '../../engine/engine-logger.ts';
import { ApiError, Code } from '../../processor/api-error.ts';
import { TaskQueue, type TaskQueueBounds } from './task-queue.ts';

export const DEFAULT_TASK_QUEUE_BOUNDS: TaskQueueBounds = { maxQueuedTasks: 1_000_000, maxWaiters: 100_000 };

export interface StoredTaskEntry {
  key: string;
  tenant: string;
  taskDefName: string;
  task: ScheduledTask;
}

export class TaskQueues implements TaskDispatch {
  readonly #bounds: TaskQueueBounds;
  readonly #logger: EngineLogger;
  readonly #queues = new Map<string, TaskQueue>();

  constructor(bounds: TaskQueueBounds, logger: EngineLogger) {
    if (!(bounds.maxQueuedTasks > 0) || !(bounds.maxWaiters > 0)) throw new Error('task queue bounds must be positive');
    this.#bounds = bounds;
    this.#logger = logger;
  }

  waitForTask(tenant: string, taskDefName: string, waiter: TaskWaiter): () => void {
    const id = queueId(tenant, taskDefName);
    const queue = this.#queue(id);
    const cancel = queue.wait(waiter);
    if (!cancel) {
      throw new ApiError(
        Code.RESOURCE_EXHAUSTED,
        `Too many pollers (${this.#bounds.maxWaiters}) are waiting for tasks of TaskDef ${taskDefName}; retry later.`,
      );
    }
    this.#dropIfEmpty(id, queue);
    return () => {
      cancel();
      this.#dropIfEmpty(id, queue);
    };
  }

  queuedCount(tenant: string, taskDefName: string): number {
    return this.#queues.get(queueId(tenant, taskDefName))?.taskCount ?? 0;
  }

  /** Tasks queued in every queue that exists now (for metrics, read at scrape time). */
  queueSizes(): Array<{ tenant: string; taskDefName: string; tasks: number }> {
    const sizes: Array<{ tenant: string; taskDefName: string; tasks: number }> = [];
    for (const [id, queue] of this.#queues) sizes.push({ ...namesOf(id), tasks: queue.taskCount });
    return sizes;
  }

  /** A ScheduledTask record was committed at key. */
  onScheduled(tenant: string, taskDefName: string, key: string, task: ScheduledTask): void {
    const id = queueId(tenant, taskDefName);
    const queue = this.#queue(id);
    const result = queue.offer(key, task);
    if (result === 'full') {
      this.#logger.error(
        { tenant, taskDefName, key, maxQueuedTasks: this.#bounds.maxQueuedTasks },
        'task queue is full: the task stays stored and is queued again at the next start',
      );
    }
    this.#dropIfEmpty(id, queue);
  }

  /** A ScheduledTask record was removed (claimed, or its WfRun deleted). */
  onUnscheduled(tenant: string, taskDefName: string, key: string): void {
    const id = queueId(tenant, taskDefName);
    const queue = this.#queues.get(id);
    if (!queue) return;
    queue.remove(key);
    this.#dropIfEmpty(id, queue);
  }

  /** Puts back a task that was handed to a poller whose claim could not be made. */
  requeue(tenant: string, taskDefName: string, key: string, task: ScheduledTask): void {
    this.onScheduled(tenant, taskDefName, key, task);
  }

  /** Start-up: queues every stored task, oldest first (by created_at, then key). */
  rebuild(entries: StoredTaskEntry[]): void {
    entries.sort((a, b) => compareCreated(a.task, b.task) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const e of entries) this.onScheduled(e.tenant, e.taskDefName, e.key, e.task);
  }

  #queue(id: string): TaskQueue {
    let queue = this.#queues.get(id);
    if (!queue) {
      queue = new TaskQueue(this.#bounds, (err) => this.#logger.error({ err, queue: id }, 'task waiter threw'));
      this.#queues.set(id, queue);
    }
    return queue;
  }

  #dropIfEmpty(id: string, queue: TaskQueue): void {
    if (queue.isEmpty && this.#queues.get(id) === queue) this.#queues.delete(id);
  }
}

function queueId(tenant: string, taskDefName: string): string {
  return `${tenant.length}:${tenant}/${taskDefName}`;
}

function namesOf(id: string): { tenant: string; taskDefName: string } {
  const colon = id.indexOf(':');
  const tenantEnd = colon + 1 + Number(id.slice(0, colon));
  return { tenant: id.slice(colon + 1, tenantEnd), taskDefName: id.slice(tenantEnd + 1) };
}

function compareCreated(a: ScheduledTask, b: ScheduledTask): number {
  const as = a.createdAt?.seconds ?? 0n;
  const bs = b.createdAt?.seconds ?? 0n;
  if (as !== bs) return as < bs ? -1 : 1;
  return (a.createdAt?.nanos ?? 0) - (b.createdAt?.nanos ?? 0);
}
