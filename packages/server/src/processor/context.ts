// What a command handler may touch. Handlers are pure: everything they read comes through a
// ProcessorContext, everything they change goes back through it, and nothing else (no clock, no
// randomness, no I/O). The engine gives each command a fresh context layered over its cache and
// discards it whole if the handler throws.
import type { Command } from '@filly/proto/internal';
import type { ScheduledTask } from '@filly/proto';
import type { Limits } from '../config/limits.ts';

/** How one kind of stored record turns into bytes and back. */
export interface RecordCodec<T> {
  readonly name: string;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
  /**
   * Metadata read by most commands and never changed in place by a handler (a WfSpec, a TaskDef):
   * decoded once, frozen, and the same object handed to every reader until the record is written.
   */
  readonly sharedWhenRead?: boolean;
}

export interface StateTx {
  /**
   * Reads a record. The key must lie in the metadata space or in a WfRun group the engine loaded
   * for this command (see commands/prefetch.ts); reading elsewhere is a bug and throws.
   * The returned object belongs to the transaction: change it only to put() it back.
   */
  get<T>(codec: RecordCodec<T>, key: string): T | undefined;
  put<T>(codec: RecordCodec<T>, key: string, value: T): void;
  delete(key: string): void;
  /** Records whose keys start with prefix, in key order. Same locality rule as get(). */
  scan<T>(codec: RecordCodec<T>, prefix: string): Array<{ key: string; value: T }>;
  /**
   * Optional: the committed bytes of a record this transaction has not written yet (what get()
   * decoded), so a caller that detects changes by comparing encodings need not encode it again.
   */
  committedBytes?(key: string): Uint8Array | undefined;
  /** Optional: put() of a value whose encoding the caller already made (exactly codec.encode(value)). */
  putEncoded?<T>(codec: RecordCodec<T>, key: string, value: T, bytes: Uint8Array): void;
}

/** Side effects, as data. The engine runs them only after the command's batch is durable. */
export type Effect =
  /** A timer record was written at `key`; the timer service must wake at dueMs. */
  | { kind: 'timer'; key: string; dueMs: number; partition: number }
  /** A pending timer's record was deleted: the timer service may forget it. */
  | { kind: 'timer-cancelled'; key: string; partition: number }
  /** A ScheduledTask record was written at `key`; hand it to a waiting poller. */
  | { kind: 'task-scheduled'; key: string; tenant: string; taskDefName: string; partition: number; task: ScheduledTask }
  /** A ScheduledTask record was removed (claimed or its WfRun deleted). */
  | { kind: 'task-unscheduled'; key: string; tenant: string; taskDefName: string; partition: number }
  /**
   * Something callers may be waiting for happened (a WorkflowEvent was thrown, a WfRun reached
   * a state): listeners registered with EngineApi.watch(topic) hear `detail` after commit.
   */
  | { kind: 'notify'; topic: string; detail: string };

export interface ProcessorContext extends StateTx {
  readonly command: Command;
  /** The command's time: the only clock a handler may read. */
  readonly nowMs: number;
  readonly tenant: string;
  readonly partition: number;
  readonly limits: Limits;
  /** Ids unique to this command and the same on every replay (32 lowercase hex chars). */
  newGuid(): string;
  /** Writes a timer record (in this transaction) that appends `body` to the log at dueMs; returns its key. */
  scheduleTimer(dueMs: number, body: Command['body']): string;
  /** Deletes a pending timer of this partition by the key scheduleTimer returned (no-op if it is gone). */
  cancelTimer(key: string): void;
  /** Writes a ScheduledTask record and queues it for dispatch after commit. */
  scheduleTask(taskDefName: string, task: ScheduledTask): void;
  /** Removes a ScheduledTask record (no-op if absent). */
  unscheduleTask(taskDefName: string, task: ScheduledTask): void;
  /**
   * Sends a follow-up command to the partition that owns it (by routingOf(body)), applied after
   * this command commits, at dueMs (default: now). It is stored as a timer record of the target
   * partition in this transaction, so it survives a crash and is applied exactly once.
   */
  sendCommand(body: Command['body'], dueMs?: number): void;
  /** Tells in-memory listeners (long polls) after commit; carries no state and is not replayed. */
  notify(topic: string, detail: string): void;
}

/**
 * A handler's result: the encoded response message that the waiting caller receives, if any.
 * Errors the caller made are thrown as ApiError; the engine turns them into a gRPC status.
 */
export type HandlerResult = Uint8Array | undefined;

export type Handler = (ctx: ProcessorContext) => HandlerResult;
