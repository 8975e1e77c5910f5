// What the rest of the server sees of the engine: submit a command and learn its outcome once it
// is durable and applied; read committed state; wait for tasks to dispatch.
import type { ScheduledTask } from '@filly/proto';
import type { Command } from '@filly/proto/internal';
import type { Code } from '../processor/api-error.ts';
import type { RecordCodec } from '../processor/context.ts';
import type { ClusterView } from '../cluster/cluster-view.ts';

export type CommandOutcome =
  | { ok: true; response: Uint8Array | undefined }
  | { ok: false; code: Code; message: string };

export interface ScanOptions {
  /** Start strictly after this key (pagination); absent = from the start of the prefix. */
  afterKey?: string;
  /** At most this many records; the engine also caps it. */
  limit: number;
}

/** A caller's page size as a whole number within 0..maxPageSize (limits.maxPageSize). */
export function pageLimit(limit: number, maxPageSize: number): number {
  return Math.max(0, Math.min(Math.floor(limit), maxPageSize));
}

/** A poller waiting for one task. Called at most once; the engine forgets it afterwards. */
export type TaskWaiter = (task: ScheduledTask) => void;

export interface TaskDispatch {
  /**
   * Hands the oldest queued task of (tenant, TaskDef) to `waiter`, now or when one is scheduled.
   * Returns a cancel function for a poller that goes away before it is served.
   */
  waitForTask(tenant: string, taskDefName: string, waiter: TaskWaiter): () => void;
  /** Puts back a task whose claim did not commit, so that it is still handed out. */
  requeue(tenant: string, taskDefName: string, key: string, task: ScheduledTask): void;
  /** Tasks queued for (tenant, TaskDef) on this instance (for metrics and tests). */
  queuedCount(tenant: string, taskDefName: string): number;
}

export interface EngineApi {
  /**
   * Logs, applies and commits the command, then resolves with its outcome. Resolves only after
   * the command is durable. Rejects only when the engine cannot accept writes (closing, disk
   * failure): the caller answers UNAVAILABLE.
   */
  submit(command: Command): Promise<CommandOutcome>;
  /** Committed state (what earlier acknowledged commands wrote). */
  get<T>(codec: RecordCodec<T>, key: string): Promise<T | undefined>;
  scan<T>(codec: RecordCodec<T>, prefix: string, options: ScanOptions): Promise<Array<{ key: string; value: T }>>;
  readonly tasks: TaskDispatch;
  /**
   * Calls `listener` with the detail of every notify effect on `topic` committed from now on by
   * commands of `partition` (see ProcessorContext.notify). In a cluster the partition's owner may
   * be another instance; after an ownership change the listener is also called with '' so that
   * it re-reads what it waits for. Returns the function that removes the listener.
   */
  watch(partition: number, topic: string, listener: (detail: string) => void): () => void;
  /** Kafka mode: the members of the cluster and who owns what. Absent in embedded mode. */
  readonly cluster?: ClusterView;
  readonly partitionCount: number;
  /** True once start-up replay is done and commands are accepted. */
  isReady(): boolean;
  /** Stops accepting commands, finishes the batch in flight, flushes and closes the store. */
  close(): Promise<void>;
}
