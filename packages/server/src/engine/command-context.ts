// The ProcessorContext the engine hands a handler: the command's clock and identity, its
// transaction, and the effects it asked for (kept only if the transaction commits).
import type { ScheduledTask } from '@filly/proto';
import { Command, StoredTimer } from '@filly/proto/internal';
import type { Limits } from '../config/limits.ts';
import type { Effect, ProcessorContext, RecordCodec } from '../processor/context.ts';
import { Records } from '../processor/records.ts';
import { scheduledTaskKey, timerKey, timerPrefix } from '../store/keys.ts';
import type { TxBuffer } from '../store/tx-buffer.ts';
import { derivedGuid } from './guid.ts';
import { partitionOf, routingOf } from '../commands/routing.ts';

/** The largest due time a timer key can hold (15 digits of milliseconds, about year 33658). */
const MAX_TIMER_DUE_MS = 999_999_999_999_999;

/** Ids one command may create; a handler needing more is looping. */
const MAX_GUIDS_PER_COMMAND = 1_000_000;

export class CommandContext implements ProcessorContext {
  readonly command: Command;
  readonly nowMs: number;
  readonly tenant: string;
  readonly partition: number;
  readonly limits: Limits;
  readonly effects: Effect[] = [];
  readonly #tx: TxBuffer;
  #guids = 0;

  readonly #partitionCount: number;

  constructor(command: Command, tx: TxBuffer, limits: Limits, partitionCount: number) {
    const nowMs = Number(command.timeMs);
    if (!Number.isSafeInteger(nowMs)) throw new Error(`command ${command.commandId} has time ${command.timeMs}`);
    this.command = command;
    this.nowMs = nowMs;
    this.tenant = command.tenantId;
    this.partition = command.partition;
    this.limits = limits;
    this.#tx = tx;
    this.#partitionCount = partitionCount;
  }

  get<T>(codec: RecordCodec<T>, key: string): T | undefined {
    return this.#tx.get(codec, key);
  }

  committedBytes(key: string): Uint8Array | undefined {
    return this.#tx.committedBytes(key);
  }

  putEncoded<T>(codec: RecordCodec<T>, key: string, value: T, bytes: Uint8Array): void {
    this.#tx.putEncoded(codec, key, value, bytes);
  }

  put<T>(codec: RecordCodec<T>, key: string, value: T): void {
    this.#tx.put(codec, key, value);
  }

  delete(key: string): void {
    this.#tx.delete(key);
  }

  scan<T>(codec: RecordCodec<T>, prefix: string): Array<{ key: string; value: T }> {
    return this.#tx.scan(codec, prefix);
  }

  newGuid(): string {
    if (this.#guids >= MAX_GUIDS_PER_COMMAND) throw new Error(`command ${this.command.commandId} asked for too many ids`);
    return derivedGuid(this.command.commandId, this.#guids++);
  }

  scheduleTimer(dueMs: number, body: Command['body']): string {
    if (this.partition < 0) throw new Error('a metadata command cannot schedule a timer');
    return this.#storeTimer(this.partition, dueMs, body);
  }

  cancelTimer(key: string): void {
    if (!key.startsWith(timerPrefix(this.partition))) throw new Error(`${key} is not a timer of partition ${this.partition}`);
    this.#tx.delete(key);
    this.effects.push({ kind: 'timer-cancelled', key, partition: this.partition });
  }

  sendCommand(body: Command['body'], dueMs: number = this.nowMs): void {
    const routing = routingOf(body);
    if (routing.kind === 'metadata') throw new Error('follow-up commands go to core partitions only');
    this.#storeTimer(partitionOf(routing, this.#partitionCount), dueMs, body);
  }

  notify(topic: string, detail: string): void {
    this.effects.push({ kind: 'notify', topic, detail });
  }

  #storeTimer(partition: number, requestedDueMs: number, body: Command['body']): string {
    // Due times come from durations callers choose (TTLs, retention, timeouts): one past the
    // key's range is "never" in practice, one in the past is "now". NaN is a bug.
    if (Number.isNaN(requestedDueMs)) throw new Error('timer due at NaN');
    const dueMs = Math.min(Math.max(0, Math.floor(requestedDueMs)), MAX_TIMER_DUE_MS);
    if (!body) throw new Error('a timer needs a command body');
    const timerId = this.newGuid();
    const key = timerKey(partition, dueMs, timerId);
    const command = Command.fromPartial({
      commandId: timerId,
      timeMs: BigInt(dueMs),
      tenantId: this.command.tenantId,
      principalId: this.command.principalId,
      partition,
      firedTimerKey: Buffer.from(key, 'utf8'),
      body,
    });
    this.#tx.put(Records.timer, key, StoredTimer.fromPartial({ dueMs: BigInt(dueMs), command }));
    this.effects.push({ kind: 'timer', key, dueMs, partition });
    return key;
  }

  scheduleTask(taskDefName: string, task: ScheduledTask): void {
    const key = this.#taskKey(taskDefName, task);
    this.#tx.put(Records.scheduledTask, key, task);
    this.effects.push({ kind: 'task-scheduled', key, tenant: this.tenant, taskDefName, partition: this.partition, task });
  }

  unscheduleTask(taskDefName: string, task: ScheduledTask): void {
    const key = this.#taskKey(taskDefName, task);
    this.#tx.delete(key);
    this.effects.push({ kind: 'task-unscheduled', key, tenant: this.tenant, taskDefName, partition: this.partition });
  }

  #taskKey(taskDefName: string, task: ScheduledTask): string {
    if (this.partition < 0) throw new Error('a metadata command cannot schedule a task');
    if (!task.taskRunId) throw new Error('a scheduled task needs a TaskRunId');
    return scheduledTaskKey(this.partition, this.tenant, taskDefName, task.taskRunId);
  }
}
