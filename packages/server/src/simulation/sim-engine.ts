// engine/engine.ts re-enacted one step at a time over the simulated log and store, with the real
// BatchApplier, StateCache, TxBuffer, TaskQueues, start-up loads and replay. The real loop's
// concurrency becomes explicit state the simulation advances: at most one batch being made
// durable (`inflight`, phase by phase) and one more applied on top of it (`waiting`), exactly the
// overlap engine.ts allows. Keep this file in step with engine.ts: the protocol is what is tested.
import { Command } from '@filly/proto/internal';
import type { Limits } from '../config/limits.ts';
import { partitionOf, routingOf } from '../commands/routing.ts';
import { BatchApplier, type AppliedBatch, type ApplyFn } from '../engine/batch-applier.ts';
import type { EngineLogger } from '../engine/engine-logger.ts';
import { encodeCheckpoint, loadMetadataRows, loadScheduledTasks, readCheckpoint } from '../engine/startup-loads.ts';
import { replayLog } from '../engine/replay.ts';
import type { SegmentLog } from '../log/segment-log.ts';
import { TaskQueues, DEFAULT_TASK_QUEUE_BOUNDS } from '../effects/task-queues/task-queues.ts';
import { Code } from '../processor/api-error.ts';
import type { Effect } from '../processor/context.ts';
import { APPLY_CHECKPOINT_KEY } from '../store/keys.ts';
import { StateCache } from '../store/state-cache.ts';
import type { Delivery, SimBugs } from './sim-types.ts';
import type { SimLog } from './sim-log.ts';
import type { SimStore } from './sim-store.ts';
import { SimTimers } from './sim-timers.ts';

/** engine.ts STORE_WRITE_ATTEMPTS. */
const STORE_WRITE_ATTEMPTS = 3;

export interface PendingCommand {
  command: Command;
  payload: Uint8Array;
  deliver: (d: Delivery) => void;
}

type Phase = 'applied' | 'written' | 'appended';

interface Batch {
  seq: number;
  pending: PendingCommand[];
  applied: AppliedBatch;
  payloads: Uint8Array[];
  phase: Phase;
}

export interface SimEngineDeps {
  log: SimLog;
  store: SimStore;
  limits: Limits;
  partitionCount: number;
  apply: ApplyFn;
  logger: EngineLogger;
  nowMs: () => number;
  bugs: SimBugs;
  /** Told about every command a completed batch made durable, in log order. */
  onDurable: (commands: Command[], firstOffset: number) => void;
}

export class SimEngine {
  readonly deps: SimEngineDeps;
  readonly cache: StateCache;
  readonly applier: BatchApplier;
  readonly tasks: TaskQueues;
  readonly timers: SimTimers;
  #queue: PendingCommand[] = [];
  #batchSeq = 0;
  #ready = false;
  #failure: 'log' | 'store' | undefined;
  #inflight: Batch | undefined;
  #waiting: Batch | undefined;
  replayedCommands = 0;

  constructor(deps: SimEngineDeps) {
    this.deps = deps;
    this.cache = new StateCache(deps.limits.maxCachedWfRuns);
    this.applier = new BatchApplier(this.cache, deps.store, deps.apply, deps.limits, deps.logger, deps.partitionCount);
    this.tasks = new TaskQueues(DEFAULT_TASK_QUEUE_BOUNDS, deps.logger);
    this.timers = new SimTimers(deps.partitionCount, deps.store, (c, d) => this.submit(c, d), deps.bugs);
  }

  get ready(): boolean {
    return this.#ready;
  }
  get failure(): 'log' | 'store' | undefined {
    return this.#failure;
  }
  get queued(): number {
    return this.#queue.length;
  }
  get busy(): boolean {
    return this.#inflight !== undefined || this.#waiting !== undefined;
  }
  /** Phase of the batch being made durable, for the step chooser and traces. */
  get inflightPhase(): Phase | undefined {
    return this.#inflight?.phase;
  }

  /** engine.ts #start. */
  async open(): Promise<void> {
    const { log, store } = this.deps;
    const checkpoint = await readCheckpoint(store);
    const from = checkpoint === undefined ? 0 : Number(checkpoint.appliedOffset) + 1;
    if (from > log.nextOffset) {
      throw new Error(`the store has applied the log up to offset ${from - 1} but the log ends before offset ${log.nextOffset}`);
    }
    if (from < log.firstOffset) throw new Error(`the log no longer holds offset ${from}`);
    await this.#reloadMetadata();
    // replayLog reads only log.read(); the simulated log provides it with the same record shape.
    const replay = await replayLog({
      log: log as unknown as SegmentLog,
      from,
      applier: this.applier,
      cache: this.cache,
      kv: store,
      maxCommandsPerBatch: this.deps.limits.maxCommandsPerBatch,
      nextBatchSeq: () => ++this.#batchSeq,
    });
    this.replayedCommands = replay.commands;
    this.tasks.rebuild(await loadScheduledTasks(store, this.deps.partitionCount));
    this.#ready = true;
    await this.timers.start();
  }

  /** engine.ts submit(): refusals first, then the bounded queue. Delivers synchronously. */
  submit(command: Command, deliver: (d: Delivery) => void): void {
    if (!this.#ready) return deliver({ acked: false, reason: 'The server is still starting.' });
    if (this.#failure) return deliver({ acked: false, reason: 'The server cannot accept writes right now (storage failure).' });
    const payload = Command.encode(command).finish();
    if (payload.length > this.deps.limits.maxRecordBytes) {
      return deliver({ acked: true, logged: false, outcome: { ok: false, code: Code.RESOURCE_EXHAUSTED, message: 'too large' } });
    }
    const problem = routingProblem(command, this.deps.partitionCount);
    if (problem) return deliver({ acked: true, logged: false, outcome: { ok: false, code: problem.code, message: problem.message } });
    if (this.#queue.length >= this.deps.limits.maxPendingCommands) {
      return deliver({
        acked: true,
        logged: false,
        outcome: { ok: false, code: Code.RESOURCE_EXHAUSTED, message: 'The server has too many writes in progress; retry later.' },
      });
    }
    this.#queue.push({ command, payload, deliver });
  }

  canApply(): boolean {
    return this.#ready && this.#failure === undefined && this.#queue.length > 0 && this.#waiting === undefined;
  }

  /** One pass of the loop's apply half: take up to `max` commands, prefetch, apply. */
  async applyNext(max: number): Promise<void> {
    if (!this.canApply()) throw new Error('applyNext() when the loop could not apply');
    const pending = this.#queue.splice(0, Math.max(1, Math.min(max, this.deps.limits.maxCommandsPerBatch)));
    const commands = pending.map((p) => Command.decode(p.payload));
    const seq = ++this.#batchSeq;
    try {
      await this.applier.prefetch(commands);
    } catch {
      for (const p of pending) p.deliver({ acked: false, reason: 'The server could not read its store.' });
      return;
    }
    const applied = this.applier.applyBatch(commands, seq);
    this.cache.evict();
    const payloads: Uint8Array[] = [];
    applied.items.forEach((item, i) => {
      if (item.logged) payloads.push(pending[i]!.payload);
    });
    const batch: Batch = { seq, pending, applied, payloads, phase: 'applied' };
    if (this.#inflight === undefined) this.#inflight = batch;
    else this.#waiting = batch;
  }

  canAdvance(): boolean {
    return this.#inflight !== undefined;
  }

  /** One phase of engine.ts #makeDurable for the batch in flight. */
  async advance(): Promise<void> {
    const b = this.#inflight;
    if (!b) throw new Error('advance() with no batch in flight');
    const { log, store, bugs } = this.deps;
    if (b.phase === 'applied') {
      if (b.payloads.length === 0 && b.applied.writes.size > 0) throw new Error('a batch wrote state without logging a command');
      if (b.payloads.length === 0) {
        b.phase = 'appended';
        return;
      }
      try {
        log.write(b.payloads);
      } catch (err) {
        this.deps.logger.error({ err }, 'command log append failed; refusing writes until it recovers');
        this.#failure ??= 'log';
        for (const p of b.pending) p.deliver({ acked: false, reason: 'The server could not make the write durable.' });
        this.#finish(false);
        return;
      }
      b.phase = 'written';
      if (bugs.ackBeforeSync) this.#answer(b);
      return;
    }
    if (b.phase === 'written') {
      const lastOffset = log.sync();
      if (!bugs.skipCheckpoint) b.applied.writes.set(APPLY_CHECKPOINT_KEY, encodeCheckpoint(lastOffset));
      this.deps.onDurable(b.payloads.map((p) => Command.decode(p)), lastOffset - b.payloads.length + 1);
      b.phase = 'appended';
      return;
    }
    let stored = b.applied.writes.size === 0;
    for (let attempt = 1; !stored && attempt <= STORE_WRITE_ATTEMPTS; attempt++) {
      try {
        await store.write([...b.applied.writes].map(([key, value]) => ({ key, value })));
        stored = true;
      } catch (err) {
        this.deps.logger.warn({ err, attempt }, 'store write failed');
      }
    }
    if (!bugs.ackBeforeSync) this.#answer(b);
    if (!stored) {
      this.deps.logger.warn({}, 'the store cannot be written; refusing writes until the server restarts');
      this.#failure ??= 'store';
      this.#finish(false);
      return;
    }
    this.cache.markDurable(b.seq);
    for (const item of b.applied.items) for (const effect of item.effects) this.#runEffect(effect);
    this.#finish(true);
  }

  /** engine.ts #recover for a log failure; a store failure waits for a restart. */
  canRecover(): boolean {
    return this.#failure === 'log' && !this.busy;
  }

  async recover(): Promise<void> {
    if (!this.canRecover()) throw new Error('recover() when the loop would not');
    this.#rejectQueued('The server cannot accept writes right now.');
    this.deps.log.probe();
    await this.#reloadMetadata();
    this.#failure = undefined;
  }

  /** The process dies: callers waiting for outcomes see their connections drop. */
  crash(): void {
    this.#ready = false;
    const lost = [...(this.#inflight?.pending ?? []), ...(this.#waiting?.pending ?? []), ...this.#queue];
    this.#inflight = undefined;
    this.#waiting = undefined;
    this.#queue = [];
    this.timers.stop();
    for (const p of lost) p.deliver({ acked: false, reason: 'connection lost (server crashed)' });
  }

  #answer(b: Batch): void {
    b.applied.items.forEach((item, i) => {
      b.pending[i]!.deliver({ acked: true, logged: item.logged, outcome: item.outcome });
    });
  }

  /** The loop noticing the batch in flight is done: the waiting batch goes next, or is void. */
  #finish(ok: boolean): void {
    this.#inflight = undefined;
    const next = this.#waiting;
    this.#waiting = undefined;
    if (!next) return;
    if (!ok) {
      for (const p of next.pending) p.deliver({ acked: false, reason: 'The server could not make the write durable.' });
      return;
    }
    this.#inflight = next;
  }

  #runEffect(effect: Effect): void {
    switch (effect.kind) {
      case 'timer':
        this.timers.onScheduled(effect.partition, effect.key, effect.dueMs);
        return;
      case 'task-scheduled':
        this.tasks.onScheduled(effect.tenant, effect.taskDefName, effect.key, effect.task);
        return;
      case 'task-unscheduled':
        this.tasks.onUnscheduled(effect.tenant, effect.taskDefName, effect.key);
        return;
      case 'notify':
        return;
    }
  }

  async #reloadMetadata(): Promise<void> {
    this.cache.clear();
    await loadMetadataRows(this.deps.store, (rows) => this.cache.loadMetadata(rows));
  }

  #rejectQueued(reason: string): void {
    for (const p of this.#queue.splice(0)) p.deliver({ acked: false, reason });
  }
}

function routingProblem(command: Command, partitionCount: number): { code: Code; message: string } | undefined {
  let routing;
  try {
    routing = routingOf(command.body);
  } catch (err) {
    return { code: Code.INVALID_ARGUMENT, message: err instanceof Error ? err.message : String(err) };
  }
  if (routing.kind === 'keyed') return undefined;
  const expected = partitionOf(routing, partitionCount);
  if (command.partition !== expected) return { code: Code.INTERNAL, message: `command stamped for partition ${command.partition}` };
  return undefined;
}
