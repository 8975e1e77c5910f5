// engine/engine.ts re-enacted one step at a time over the simulated log and store, with the real
// BatchApplier, StateCache, TxBuffer, TaskQueues, start-up loads and replay. The real loop's
// concurrency becomes explicit state the simulation advances: at most one batch being logged
// (`inflight`: write, then fsync, then replies and effects), one more applied on top of it
// (`waiting`), and the store writes of logged batches trailing behind in batch order, at most
// MAX_STORE_WRITES_BEHIND before the loop waits for them (sim-store-writes.ts), exactly the
// overlap engine.ts allows. Keep this file in step with engine.ts: the protocol is what is tested.
import { Command } from '@filly/proto/internal';
import { BatchApplier, type AppliedBatch } from '../engine/batch-applier.ts';
import { encodeCheckpoint, loadMetadataRows, loadScheduledTasks, readCheckpoint } from '../engine/startup-loads.ts';
import { replayLog } from '../engine/replay.ts';
import type { SegmentLog } from '../log/segment-log.ts';
import { TaskQueues, DEFAULT_TASK_QUEUE_BOUNDS } from '../effects/task-queues/task-queues.ts';
import { Code } from '../processor/api-error.ts';
import type { Effect } from '../processor/context.ts';
import { APPLY_CHECKPOINT_KEY } from '../store/keys.ts';
import { StateCache } from '../store/state-cache.ts';
import type { Delivery } from './sim-types.ts';
import { routingProblem, type PendingCommand, type SimEngineDeps } from './sim-engine-deps.ts';
import { MAX_STORE_WRITES_BEHIND, SimStoreWrites } from './sim-store-writes.ts';
import { SimTimers } from './sim-timers.ts';

/** 'applied': not yet logged ('gated': the loop first waits for the store); 'written': not synced. */
type Phase = 'applied' | 'written';

interface Batch {
  seq: number;
  pending: PendingCommand[];
  applied: AppliedBatch;
  payloads: Uint8Array[];
  phase: Phase;
  /** engine.ts `if (#storeWritesBehind >= MAX_STORE_WRITES_BEHIND) await #storeTail` before logging it. */
  gated: boolean;
  answered: boolean;
}

export class SimEngine {
  readonly deps: SimEngineDeps;
  readonly cache: StateCache;
  readonly applier: BatchApplier;
  readonly tasks: TaskQueues;
  readonly timers: SimTimers;
  readonly storeWrites: SimStoreWrites;
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
    this.storeWrites = new SimStoreWrites(deps.store, this.cache, deps.logger, () => (this.#failure ??= 'store'));
    // engine.ts hands the timer service a kv whose reads wait for the pending store writes.
    const timerKv = { get: (key: string) => this.storeWrites.settle().then(() => deps.store.get(key)) };
    this.timers = new SimTimers(deps.partitionCount, deps.store, timerKv, deps.nowMs, (c, d) => this.submit(c, d), deps.bugs);
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
    return this.#inflight !== undefined || this.#waiting !== undefined || this.storeWrites.behind > 0;
  }
  /** Phase of the batch being logged, for traces. */
  get inflightPhase(): string | undefined {
    const b = this.#inflight;
    return b && (b.gated ? 'gated' : b.phase);
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
    this.replayedCommands = await this.#replay(from, false);
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

  /** The loop takes a batch only at the top of a pass: not while it waits at the store gate. */
  canApply(): boolean {
    return this.#ready && this.#failure === undefined && this.#queue.length > 0 && this.#waiting === undefined && !this.#inflight?.gated;
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
    const batch: Batch = { seq, pending, applied, payloads, phase: 'applied', gated: false, answered: false };
    if (this.#inflight === undefined) this.#startLogging(batch);
    else this.#waiting = batch;
  }

  /** One move of engine.ts #makeDurable for the batch being logged. */
  canAdvance(): boolean {
    const b = this.#inflight;
    return b !== undefined && !(b.gated && this.storeWrites.behind > 0);
  }

  canWriteStore(): boolean {
    return this.storeWrites.behind > 0;
  }

  /** The oldest pending store write lands (or fails: the store is broken, the engine failed). */
  writeStore(): Promise<void> {
    return this.storeWrites.writeNext();
  }

  async advance(): Promise<void> {
    const b = this.#inflight;
    if (!b || !this.canAdvance()) throw new Error('advance() when the batch in flight cannot move');
    b.gated = false;
    const { log, bugs } = this.deps;
    if (b.phase === 'applied') {
      if (b.payloads.length === 0 && b.applied.writes.size > 0) throw new Error('a batch wrote state without logging a command');
      if (b.payloads.length === 0) return this.#logged(b);
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
    const lastOffset = log.sync();
    if (!bugs.skipCheckpoint) b.applied.writes.set(APPLY_CHECKPOINT_KEY, encodeCheckpoint(lastOffset));
    this.deps.onDurable(b.payloads.map((p) => Command.decode(p)), lastOffset - b.payloads.length + 1);
    this.#logged(b);
  }

  /** engine.ts #makeDurable after the append: queue the store write, answer, run effects. */
  #logged(b: Batch): void {
    this.storeWrites.queue(b.seq, b.applied.writes);
    this.cache.markLogged(b.seq);
    this.#answer(b);
    for (const item of b.applied.items) for (const effect of item.effects) this.#runEffect(effect, b.applied.writes);
    this.#finish(true);
  }

  /** engine.ts #runLoop on a failure: after the batch in flight and every store write settled. */
  canRecover(): boolean {
    return this.#failure !== undefined && !this.busy;
  }

  /** One pass of engine.ts #recover (a failed pass sleeps: the next recover() step retries). */
  async recover(): Promise<void> {
    if (!this.canRecover()) throw new Error('recover() when the loop would not');
    this.#rejectQueued('The server cannot accept writes right now.');
    try {
      if (this.#failure === 'store') {
        this.replayedCommands += await this.#recoverStore();
      } else {
        this.deps.log.probe();
        // As engine.ts: a store failure hidden behind the log failure needs the replay too.
        if (this.storeWrites.broken) this.replayedCommands += await this.#recoverStore();
        else await this.#reloadMetadata();
      }
    } catch (err) {
      this.deps.logger.warn({ err }, `${this.#failure} still not writable`);
      return;
    }
    this.#failure = undefined;
    this.storeWrites.broken = false;
  }

  /** engine.ts #recoverStore: reopen, then replay from the store's checkpoint as a restart would. */
  async #recoverStore(): Promise<number> {
    await this.deps.store.recover();
    const checkpoint = await readCheckpoint(this.deps.store);
    const from = checkpoint === undefined ? 0 : Number(checkpoint.appliedOffset) + 1;
    await this.#reloadMetadata();
    return this.#replay(from, true);
  }

  async #replay(from: number, announceTimers: boolean): Promise<number> {
    // replayLog reads only log.read(); the simulated log provides it with the same record shape.
    const replay = await replayLog({
      log: this.deps.log as unknown as SegmentLog,
      from,
      applier: this.applier,
      cache: this.cache,
      kv: this.deps.store,
      maxCommandsPerBatch: this.deps.limits.maxCommandsPerBatch,
      nextBatchSeq: () => ++this.#batchSeq,
      onEffects: announceTimers ? (effects) => effects.forEach((e) => e.kind === 'timer' && this.#runEffect(e)) : undefined,
    });
    return replay.commands;
  }

  /** The process dies: callers waiting for outcomes see their connections drop. */
  crash(): void {
    this.#ready = false;
    const lost = [...(this.#inflight?.pending ?? []), ...(this.#waiting?.pending ?? []), ...this.#queue];
    this.#inflight = undefined;
    this.#waiting = undefined;
    this.#queue = [];
    this.storeWrites.drop();
    this.timers.stop();
    for (const p of lost) p.deliver({ acked: false, reason: 'connection lost (server crashed)' });
  }

  #answer(b: Batch): void {
    if (b.answered) return;
    b.answered = true;
    b.applied.items.forEach((item, i) => {
      b.pending[i]!.deliver({ acked: true, logged: item.logged, outcome: item.outcome });
    });
  }

  /** The loop reaching `inflight = #makeDurable(batch)`: first waits for the store if too far behind. */
  #startLogging(b: Batch): void {
    b.gated = this.storeWrites.behind >= MAX_STORE_WRITES_BEHIND;
    this.#inflight = b;
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
    this.#startLogging(next);
  }

  /** `writes`: the batch that created the effect, when it is a live commit (not a replay). */
  #runEffect(effect: Effect, writes?: ReadonlyMap<string, Uint8Array | null>): void {
    switch (effect.kind) {
      case 'timer':
        this.timers.onScheduled(effect.partition, effect.key, effect.dueMs, writes?.get(effect.key) ?? undefined);
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

  /** Read first, then swap: the cached metadata is never seen empty or half-loaded. */
  async #reloadMetadata(): Promise<void> {
    const pages: Array<Parameters<StateCache['loadMetadata']>[0]> = [];
    await loadMetadataRows(this.deps.store, (rows) => pages.push(rows));
    this.cache.clear();
    for (const rows of pages) this.cache.loadMetadata(rows);
  }

  #rejectQueued(reason: string): void {
    for (const p of this.#queue.splice(0)) p.deliver({ acked: false, reason });
  }
}
