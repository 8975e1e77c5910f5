// An in-memory ProcessorContext for unit tests.
//
// A FakeWorld holds committed state (encoded bytes, so a handler that forgets to put() a changed
// object is caught exactly as the real store would catch it) plus everything committed commands
// produced: effects, timers, queued tasks. Each command runs in its own FakeContext, a write
// buffer over the world: commit() folds it in, a thrown handler leaves the world untouched.
// Multi-command scenarios are a sequence of world.exec(...) calls on the same world.
import type { ScheduledTask } from '@filly/proto';
import { Command, StoredTimer } from '@filly/proto/internal';
import type { Effect, HandlerResult, ProcessorContext, RecordCodec } from '../context.ts';
import { DEFAULT_LIMITS, type Limits } from '../../config/limits.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { groupPrefixOfKey, isMetadataKey } from '../../store/key-space.ts';
import { partitionOf, routingOf } from '../../commands/routing.ts';

export type CommandBody = NonNullable<Command['body']>;
export type ApplyFn = (ctx: ProcessorContext) => HandlerResult;

export interface FakeWorldOptions {
  nowMs?: number;
  tenant?: string;
  partition?: number;
  /** Partitions follow-up commands are routed over (default 1: everything lands on partition 0). */
  partitionCount?: number;
  limits?: Partial<Limits>;
}

/** Deleted keys are kept in the buffer as null so they hide committed values. */
type Pending = Map<string, Uint8Array | null>;

export class FakeWorld {
  readonly store = new Map<string, Uint8Array>();
  /** Every effect of every committed command, in commit order. */
  readonly effects: Effect[] = [];
  nowMs: number;
  tenant: string;
  partition: number;
  partitionCount: number;
  limits: Limits;
  private commandSeq = 0;

  constructor(options: FakeWorldOptions = {}) {
    this.nowMs = options.nowMs ?? 1_700_000_000_000;
    this.tenant = options.tenant ?? 'default';
    this.partition = options.partition ?? 0;
    this.partitionCount = options.partitionCount ?? 1;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** Starts a command on the current committed state. Nothing changes until commit(). */
  begin(body: CommandBody | undefined, extra: Partial<Command> = {}): FakeContext {
    this.commandSeq += 1;
    const command = Command.fromPartial({
      commandId: `cmd-${this.commandSeq}`,
      timeMs: BigInt(this.nowMs),
      tenantId: this.tenant,
      principalId: 'anonymous',
      partition: this.partition,
      ...extra,
      body,
    });
    return new FakeContext(this, command);
  }

  /** Runs one command through `apply` and commits it; a throw discards its writes and rethrows. */
  exec(apply: ApplyFn, body: CommandBody, extra: Partial<Command> = {}): HandlerResult {
    const ctx = this.begin(body, extra);
    const result = apply(ctx);
    ctx.commit();
    return result;
  }

  /** Like exec, but also hands back the context, to inspect what that one command did. */
  execWithContext(apply: ApplyFn, body: CommandBody, extra: Partial<Command> = {}): { result: HandlerResult; ctx: FakeContext } {
    const ctx = this.begin(body, extra);
    const result = apply(ctx);
    ctx.commit();
    return { result, ctx };
  }

  get<T>(codec: RecordCodec<T>, key: string): T | undefined {
    const bytes = this.store.get(key);
    return bytes === undefined ? undefined : codec.decode(bytes);
  }

  put<T>(codec: RecordCodec<T>, key: string, value: T): void {
    this.store.set(key, codec.encode(value));
  }

  scan<T>(codec: RecordCodec<T>, prefix: string): Array<{ key: string; value: T }> {
    const found = [...this.store.keys()].filter((k) => k.startsWith(prefix)).sort();
    return found.map((key) => ({ key, value: codec.decode(this.store.get(key) as Uint8Array) }));
  }

  keysWithPrefix(prefix: string): string[] {
    return [...this.store.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** Pending timers of this world's partition, soonest first. */
  timers(): Array<{ key: string; timer: StoredTimer }> {
    return this.scan(Records.timer, keys.timerPrefix(this.partition)).map(({ key, value }) => ({ key, timer: value }));
  }

  /** Scheduled tasks still waiting for a worker, in key order. */
  queuedTasks(): ScheduledTask[] {
    return this.scan(Records.scheduledTask, keys.scheduledTaskPrefix(this.partition)).map((r) => r.value);
  }

  /**
   * Fires the soonest timer due at or before `untilMs` (the clock moves to its due time, as the
   * timer service stamps it). Returns false when none is due.
   */
  fireNextTimer(apply: ApplyFn, untilMs: number = this.nowMs): { fired: boolean; result?: HandlerResult } {
    const next = this.timers()[0];
    if (next === undefined || Number(next.timer.dueMs) > untilMs) return { fired: false };
    const body = next.timer.command?.body;
    if (body === undefined) throw new Error(`timer ${next.key} carries no command`);
    this.nowMs = Math.max(this.nowMs, Number(next.timer.dueMs));
    const ctx = this.begin(body, { firedTimerKey: Buffer.from(next.key, 'utf8') });
    // The engine removes a fired timer in the command's own transaction.
    ctx.delete(next.key);
    const result = apply(ctx);
    ctx.commit();
    return { fired: true, result };
  }

  /** Fires due timers in order until none is due at `untilMs`; bounded by maxFires. */
  fireTimersUntil(apply: ApplyFn, untilMs: number, maxFires = 1_000): number {
    let fired = 0;
    while (fired < maxFires && this.fireNextTimer(apply, untilMs).fired) fired += 1;
    if (this.nowMs < untilMs) this.nowMs = untilMs;
    return fired;
  }

  advanceMs(deltaMs: number): void {
    if (deltaMs < 0) throw new Error('time does not go backwards');
    this.nowMs += deltaMs;
  }

  /** @internal used by FakeContext.commit */
  applyCommit(pending: Pending, effects: readonly Effect[]): void {
    for (const [key, value] of pending) {
      if (value === null) this.store.delete(key);
      else this.store.set(key, value);
    }
    this.effects.push(...effects);
  }
}

export class FakeContext implements ProcessorContext {
  readonly command: Command;
  readonly nowMs: number;
  readonly tenant: string;
  readonly partition: number;
  readonly limits: Limits;
  /** What this command did, for assertions. */
  readonly effects: Effect[] = [];
  readonly timersScheduled: Array<{ key: string; dueMs: number; body: Command['body'] }> = [];
  readonly commandsSent: Array<{ partition: number; dueMs: number; body: Command['body'] }> = [];
  readonly tasksScheduled: Array<{ taskDefName: string; task: ScheduledTask }> = [];
  readonly tasksUnscheduled: Array<{ taskDefName: string; task: ScheduledTask }> = [];
  readonly guids: string[] = [];
  private readonly world: FakeWorld;
  private readonly pending: Pending = new Map();
  private guidSeq = 0;
  private timerSeq = 0;
  private committed = false;

  constructor(world: FakeWorld, command: Command) {
    this.world = world;
    this.command = command;
    this.nowMs = Number(command.timeMs);
    this.tenant = command.tenantId;
    this.partition = command.partition;
    this.limits = world.limits;
  }

  get<T>(codec: RecordCodec<T>, key: string): T | undefined {
    assertReadable(key);
    const bytes = this.pending.has(key) ? this.pending.get(key) : this.world.store.get(key);
    return bytes === undefined || bytes === null ? undefined : codec.decode(bytes);
  }

  put<T>(codec: RecordCodec<T>, key: string, value: T): void {
    this.assertOpen();
    this.pending.set(key, codec.encode(value));
  }

  delete(key: string): void {
    this.assertOpen();
    this.pending.set(key, null);
  }

  scan<T>(codec: RecordCodec<T>, prefix: string): Array<{ key: string; value: T }> {
    assertReadable(prefix);
    const all = new Set<string>();
    for (const k of this.world.store.keys()) if (k.startsWith(prefix)) all.add(k);
    for (const k of this.pending.keys()) if (k.startsWith(prefix)) all.add(k);
    const out: Array<{ key: string; value: T }> = [];
    for (const key of [...all].sort()) {
      const value = this.get(codec, key);
      if (value !== undefined) out.push({ key, value });
    }
    return out;
  }

  newGuid(): string {
    this.guidSeq += 1;
    // Derived from the command id like the real engine's, so two commands never collide.
    const seed = `${this.command.commandId}#${this.guidSeq}`;
    const guid = hex32(seed);
    this.guids.push(guid);
    return guid;
  }

  scheduleTimer(dueMs: number, body: Command['body']): string {
    if (this.partition < 0) throw new Error('a metadata command cannot schedule a timer');
    const key = this.storeTimer(this.partition, dueMs, body);
    this.timersScheduled.push({ key, dueMs, body });
    return key;
  }

  cancelTimer(key: string): void {
    if (!key.startsWith(keys.timerPrefix(this.partition))) throw new Error(`${key} is not a timer of partition ${this.partition}`);
    this.delete(key);
    this.effects.push({ kind: 'timer-cancelled', key, partition: this.partition });
  }

  sendCommand(body: Command['body'], dueMs: number = this.nowMs): void {
    const routing = routingOf(body);
    if (routing.kind === 'metadata') throw new Error('follow-up commands go to core partitions only');
    const partition = partitionOf(routing, this.world.partitionCount);
    this.storeTimer(partition, dueMs, body);
    this.commandsSent.push({ partition, dueMs, body });
  }

  notify(topic: string, detail: string): void {
    this.effects.push({ kind: 'notify', topic, detail });
  }

  /** Writes the timer record; returns its key. */
  private storeTimer(partition: number, dueMs: number, body: Command['body']): string {
    if (!Number.isSafeInteger(dueMs) || dueMs < 0) throw new Error(`timer due at ${dueMs}`);
    if (!body) throw new Error('a timer needs a command body');
    this.timerSeq += 1;
    const key = keys.timerKey(partition, dueMs, `${this.command.commandId}-${this.timerSeq}`);
    const command = Command.fromPartial({
      commandId: `${this.command.commandId}-timer-${this.timerSeq}`,
      timeMs: BigInt(Math.floor(dueMs)),
      tenantId: this.tenant,
      principalId: this.command.principalId,
      partition,
      body,
    });
    this.put(Records.timer, key, StoredTimer.fromPartial({ dueMs: BigInt(Math.floor(dueMs)), command }));
    this.effects.push({ kind: 'timer', key, dueMs, partition });
    return key;
  }

  scheduleTask(taskDefName: string, task: ScheduledTask): void {
    const key = this.taskKey(taskDefName, task);
    this.put(Records.scheduledTask, key, task);
    this.tasksScheduled.push({ taskDefName, task });
    this.effects.push({ kind: 'task-scheduled', key, tenant: this.tenant, taskDefName, partition: this.partition, task });
  }

  unscheduleTask(taskDefName: string, task: ScheduledTask): void {
    // Like the engine: queue records are write-only for handlers, so removal is unconditional.
    const key = this.taskKey(taskDefName, task);
    this.delete(key);
    this.tasksUnscheduled.push({ taskDefName, task });
    this.effects.push({ kind: 'task-unscheduled', key, tenant: this.tenant, taskDefName, partition: this.partition });
  }

  /** Folds this command's writes and effects into the world. A context commits at most once. */
  commit(): void {
    this.assertOpen();
    this.committed = true;
    this.world.applyCommit(this.pending, this.effects);
  }

  /** Keys this command wrote (null value = deleted), for assertions. */
  writes(): ReadonlyMap<string, Uint8Array | null> {
    return this.pending;
  }

  private taskKey(taskDefName: string, task: ScheduledTask): string {
    if (task.taskRunId === undefined) throw new Error('ScheduledTask without task_run_id');
    return keys.scheduledTaskKey(this.partition, this.tenant, taskDefName, task.taskRunId);
  }

  private assertOpen(): void {
    if (this.committed) throw new Error('this FakeContext has already committed');
  }
}

/** A deterministic 32-hex-char id from a string (FNV-1a, four lanes): test ids, not crypto. */
function hex32(seed: string): string {
  let out = '';
  for (let lane = 0; lane < 4; lane++) {
    let h = (0x811c9dc5 ^ lane) >>> 0;
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

/**
 * The engine lets handlers read only metadata and WfRun groups (timer and queue records are
 * write-only for them); the fake enforces the same rule so a handler test catches a stray read.
 */
function assertReadable(keyOrPrefix: string): void {
  if (isMetadataKey(keyOrPrefix) || groupPrefixOfKey(keyOrPrefix) !== undefined) return;
  throw new Error(`read of ${keyOrPrefix}: handlers may read only metadata and WfRun groups`);
}
