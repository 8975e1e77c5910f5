// The embedded engine: a bounded submit queue, a loop that applies commands in batches against
// the write-through cache (workers' claims on the tasks a batch schedules join it:
// early-claims.ts), one durable log append per batch, then replies and effects, and
// one store write per batch carrying its state and the apply checkpoint, chained in batch order
// behind the replies (reads wait for it). While one batch is being logged the next one is
// collected and applied. Start-up replays the log from the store's
// checkpoint through the same apply path, then rebuilds timers and task queues from the store.
import { Command } from '@filly/proto/internal';
import { ApiError, Code } from '../processor/api-error.ts';
import type { Effect, RecordCodec } from '../processor/context.ts';
import type { SegmentLog } from '../log/segment-log.ts';
import { APPLY_CHECKPOINT_KEY } from '../store/keys.ts';
import { isMetadataKey } from '../store/key-space.ts';
import type { KvStore } from '../store/kv-store.ts';
import { StateCache } from '../store/state-cache.ts';
import { TimerService, DEFAULT_TIMER_BOUNDS } from '../effects/timers/timer-service.ts';
import { TaskQueues, DEFAULT_TASK_QUEUE_BOUNDS } from '../effects/task-queues/task-queues.ts';
import { pageLimit, type CommandOutcome, type EngineApi, type ScanOptions } from './engine-api.ts';
import { BatchApplier, type AppliedBatch, type ApplyFn } from './batch-applier.ts';
import type { EngineOptions } from './engine-options.ts';
import { stderrLogger, type EngineLogger } from './engine-logger.ts';
import { EngineUnavailableError } from './engine-errors.ts';
import { SubmitQueue, laneOf, type PendingCommand } from './submit-queue.ts';
import { encodeCheckpoint, loadScheduledTasks, readCheckpoint, readMetadata } from './startup-loads.ts';
import { StoreWriter } from './store-writer.ts';
import { recoverStorage, type StorageFailure } from './storage-recovery.ts';
import { replayLog, replayStart } from './replay.ts';
import { WakeableSleep } from './wakeable-sleep.ts';
import { openStorage } from './open-storage.ts';
import { Watchers, type WatchListener } from './watchers.ts';
import { commandProblem, runEffect, TOO_MANY_WRITES, type EffectSinks } from './command-checks.ts';
import { NO_OBSERVER, observeFiredTimers, type EngineObserver } from './engine-observer.ts';
import { appendClaims, EarlyClaims } from './early-claims.ts';
import { encodeShared } from '../processor/shared-writer.ts';

const DEFAULT_PROBE_INTERVAL_MS = 1_000;

export interface EngineStats {
  batches: number;
  logAppends: number;
  loggedCommands: number;
}

export class Engine implements EngineApi {
  readonly partitionCount: number;
  readonly stats: EngineStats = { batches: 0, logAppends: 0, loggedCommands: 0 };
  readonly #limits: EngineOptions['limits'];
  readonly #logger: EngineLogger;
  readonly #log: SegmentLog;
  readonly #kv: KvStore;
  readonly #cache: StateCache;
  readonly #applier: BatchApplier;
  readonly #queue: SubmitQueue;
  readonly #tasks: TaskQueues;
  readonly #timers: TimerService;
  readonly #watchers = new Watchers();
  readonly #effectSinks: EffectSinks;
  readonly #store: StoreWriter;
  readonly #probeIntervalMs: number;
  readonly #observer: EngineObserver;
  readonly #earlyClaims: EarlyClaims;
  readonly #nowMs: () => number;
  #batchSeq = 0;
  #ready = false;
  #closing = false;
  #failure: StorageFailure | undefined;
  #loopDone: Promise<void> = Promise.resolve();
  #closeDone: Promise<void> | undefined;
  readonly #sleeper = new WakeableSleep();

  private constructor(options: EngineOptions, apply: ApplyFn, log: SegmentLog, kv: KvStore, logger: EngineLogger) {
    if (!Number.isSafeInteger(options.partitionCount) || options.partitionCount <= 0) {
      throw new Error(`partitionCount must be a positive integer, got ${options.partitionCount}`);
    }
    this.partitionCount = options.partitionCount;
    this.#limits = options.limits;
    this.#logger = logger;
    this.#log = log;
    this.#kv = kv;
    this.#cache = new StateCache(options.limits.maxCachedWfRuns);
    this.#applier = new BatchApplier(this.#cache, kv, apply, options.limits, logger, options.partitionCount);
    this.#queue = new SubmitQueue(options.limits.maxPendingCommands);
    this.#store = new StoreWriter({
      kv,
      logger,
      onStored: (seq) => this.#cache.markDurable(seq),
      onBroken: () => this.#fail({ kind: 'store', err: new Error('store write failed') }),
    });
    this.#tasks = new TaskQueues({ ...DEFAULT_TASK_QUEUE_BOUNDS, ...options.taskQueues }, logger);
    this.#timers = new TimerService(options.partitionCount, {
      ...DEFAULT_TIMER_BOUNDS,
      ...options.timers,
      // A timer may be announced before its batch reaches the store: read after that write.
      kv: this.#store.readsAfterWrites(kv),
      submit: (command) => this.submit(command),
      nowMs: options.nowMs ?? Date.now,
      logger,
    });
    this.#effectSinks = {
      timer: (partition, key, dueMs, record) => this.#timers.onScheduled(partition, key, dueMs, record),
      timerCancelled: (partition, key) => this.#timers.onCancelled(partition, key),
      tasks: this.#tasks,
      watchers: this.#watchers,
      logger,
    };
    this.#probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    this.#observer = options.observer ?? NO_OBSERVER;
    this.#earlyClaims = new EarlyClaims(options.limits.maxCommandsPerBatch);
    this.#nowMs = options.nowMs ?? Date.now;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const logger = options.logger ?? stderrLogger;
    // Loaded lazily so that an engine given its own apply function does not load the handlers.
    const apply = options.apply ?? (await import('../processor/apply.ts')).applyCommand;
    const { log, kv } = await openStorage(options, logger);
    const engine = new Engine(options, apply, log, kv, logger);
    try {
      await engine.#start();
    } catch (err) {
      engine.#closing = true;
      engine.#queue.notify();
      engine.#timers.stop();
      await log.close().catch(() => undefined);
      await kv.close().catch(() => undefined);
      throw err;
    }
    return engine;
  }

  get tasks(): TaskQueues {
    return this.#tasks;
  }

  watch(_partition: number, topic: string, listener: WatchListener): () => void {
    return this.#watchers.add(topic, listener);
  }

  /** Commands accepted and not yet taken into a batch (metrics). */
  get pendingCommandCount(): number {
    return this.#queue.length;
  }

  /** WfRun groups held in memory (metrics). */
  get cachedWfRunCount(): number {
    return this.#cache.groupCount;
  }

  get timers(): TimerService {
    return this.#timers;
  }

  isReady(): boolean {
    return this.#ready && !this.#closing && this.#failure === undefined;
  }

  submit(command: Command): Promise<CommandOutcome> {
    const refusal = this.#refusal();
    if (refusal) return Promise.reject(refusal);
    const payload = encodeShared(Command, command);
    const problem = commandProblem(command, payload, this.#limits.maxRecordBytes, this.partitionCount);
    if (problem) return Promise.resolve(problem);
    return new Promise((resolve, reject) => {
      const pending: PendingCommand = { payload, resolve, reject, lane: laneOf(command) };
      if (this.#earlyClaims.capture(command, pending)) return;
      if (!this.#queue.push(pending)) resolve(TOO_MANY_WRITES);
    });
  }

  async get<T>(codec: RecordCodec<T>, key: string): Promise<T | undefined> {
    this.#assertReadable();
    // Every request checks its tenant, and most reads are of WfRuns just worked on: answer from
    // memory what is all in the log, sparing a wait for the store and a thread-pool hop.
    const cached = isMetadataKey(key) ? this.#cache.loggedMetadataRecord(codec, key) : this.#cache.loggedGroupRecord(codec, key);
    if (cached !== undefined) return cached.value;
    await this.#store.settled();
    const bytes = await this.#kv.get(key).catch((err: unknown) => this.#readFailed(err));
    return bytes === undefined ? undefined : codec.decode(bytes);
  }

  async scan<T>(codec: RecordCodec<T>, prefix: string, options: ScanOptions): Promise<Array<{ key: string; value: T }>> {
    this.#assertReadable();
    const limit = pageLimit(options.limit, this.#limits.maxPageSize);
    await this.#store.settled();
    const rows = await this.#kv.scan({ prefix, afterKey: options.afterKey, limit }).catch((err: unknown) => this.#readFailed(err));
    return rows.map((row) => ({ key: row.key, value: codec.decode(row.value) }));
  }

  close(): Promise<void> {
    this.#closeDone ??= this.#close();
    return this.#closeDone;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    this.#queue.notify();
    this.#sleeper.wake();
    await this.#loopDone;
    this.#rejectQueued(new EngineUnavailableError('The server is shutting down.'));
    this.#timers.stop();
    await this.#log.close();
    await this.#kv.close();
  }

  async #start(): Promise<void> {
    const from = replayStart(await readCheckpoint(this.#kv), this.#log);
    await this.#reloadMetadata();
    const replay = await this.#replayFrom(from);
    this.#logger.info({ from, replayed: replay.commands, nextOffset: this.#log.nextOffset }, 'command log replayed');
    this.#tasks.rebuild(await loadScheduledTasks(this.#kv, this.partitionCount));
    this.#ready = true;
    this.#loopDone = this.#runLoop();
    await this.#timers.start();
  }

  async #reloadMetadata(): Promise<void> {
    const rows = await readMetadata(this.#kv);
    this.#cache.clear();
    this.#cache.loadMetadata(rows);
  }

  async #runLoop(): Promise<void> {
    let inflight: Promise<boolean> = Promise.resolve(true);
    // Each pass handles one batch or waits; the loop ends only when the engine closes.
    for (;;) {
      if (this.#failure) {
        await inflight;
        await this.#store.settled();
        inflight = Promise.resolve(true);
        await this.#recover();
        if (!this.#failure) this.#store.reset();
        continue;
      }
      if (this.#closing) break;
      this.#timers.fireDueNow();
      if (this.#queue.length === 0) {
        await this.#queue.waitForWork();
        continue;
      }
      const batch = this.#queue.take(this.#limits.maxCommandsPerBatch);
      const commands = batch.map((p) => Command.decode(p.payload));
      const seq = ++this.#batchSeq;
      try {
        await this.#applier.prefetch(commands);
      } catch (err) {
        this.#logger.error({ err }, 'loading WfRun state failed');
        for (const p of batch) p.reject(new EngineUnavailableError('The server could not read its store.', { cause: err }));
        continue;
      }
      const applyStartMs = performance.now();
      // The loop answers nothing while it applies: a batch that outgrows its time budget ends
      // there, and the rest goes back to the front of the queue for the next batch.
      const applied = this.#applier.applyBatch(commands, seq, applyStartMs + this.#limits.maxBatchApplyMs);
      if (applied.items.length < batch.length) {
        this.#queue.putBack(batch.splice(applied.items.length));
        commands.length = applied.items.length;
      }
      const claims = this.#earlyClaims.dispatch(applied.items, (effect) => this.#runEffect(effect));
      if (claims.length > 0 && !appendClaims(this.#applier, batch, applied, claims, seq)) {
        for (const p of claims) if (!this.#queue.push(p)) p.resolve(TOO_MANY_WRITES);
      }
      this.#observer.batchApplied(batch.length, performance.now() - applyStartMs);
      observeFiredTimers(this.#observer, commands, this.#nowMs());
      this.stats.batches++;
      this.#cache.evict();
      if (!(await inflight)) {
        // Applied on top of a batch that never became durable: its results are void.
        for (const p of batch) p.reject(new EngineUnavailableError('The server could not make the write durable.'));
        continue;
      }
      if (this.#store.full) await this.#store.settled();
      inflight = this.#makeDurable(batch, applied, seq);
    }
    await inflight;
    await this.#store.settled();
  }

  /**
   * Logs one applied batch, answers it and runs its effects, and queues its store write; false if
   * the log append failed. The log is what makes a batch durable (a restart replays it from the
   * store's checkpoint), so answers need not wait for the store; readers do (StoreWriter), so
   * no one is shown state older than an answer they got.
   */
  async #makeDurable(batch: PendingCommand[], applied: AppliedBatch, seq: number): Promise<boolean> {
    const payloads: Uint8Array[] = [];
    applied.items.forEach((item, i) => {
      if (item.logged) payloads.push(batch[i]!.payload);
    });
    if (payloads.length === 0 && applied.writes.size > 0) throw new Error('a batch wrote state without logging a command');
    if (payloads.length > 0) {
      try {
        const appendStartMs = performance.now();
        const lastOffset = await this.#log.append(payloads);
        this.#observer.batchDurable(payloads.length, performance.now() - appendStartMs);
        this.stats.logAppends++;
        this.stats.loggedCommands += payloads.length;
        applied.writes.set(APPLY_CHECKPOINT_KEY, encodeCheckpoint(lastOffset));
      } catch (err) {
        this.#logger.error({ err, commands: payloads.length }, 'command log append failed; refusing writes until it recovers');
        this.#fail({ kind: 'log', err });
        for (const p of batch) p.reject(new EngineUnavailableError('The server could not make the write durable.', { cause: err }));
        return false;
      }
    }
    this.#store.queue(applied.writes, seq);
    this.#cache.markLogged(seq);
    applied.items.forEach((item, i) => batch[i]!.resolve(item.outcome));
    for (const item of applied.items) for (const effect of item.effects) this.#runEffect(effect, applied.writes);
    return true;
  }

  /** `writes`: the batch that created the effect, when it is a live commit (not a replay). */
  #runEffect(effect: Effect, writes?: ReadonlyMap<string, Uint8Array | null>): void {
    runEffect(effect, this.#effectSinks, writes);
  }

  #fail(failure: StorageFailure): void {
    this.#failure ??= failure;
    this.#queue.notify();
  }

  /** After a failure: drop what was not durable, reload from the store, probe the log. */
  async #recover(): Promise<void> {
    const failure = this.#failure;
    if (!failure) return;
    const recovered = await recoverStorage(failure, {
      logger: this.#logger,
      probeIntervalMs: this.#probeIntervalMs,
      closing: () => this.#closing,
      probeLog: () => this.#log.probe(),
      storeBroken: () => this.#store.broken,
      recoverStore: () => this.#recoverStore(),
      reloadMetadata: () => this.#reloadMetadata(),
      rejectQueued: () => this.#rejectQueued(new EngineUnavailableError('The server cannot accept writes right now.')),
      sleep: (ms) => this.#sleeper.sleep(ms),
    });
    if (!recovered) return;
    this.#failure = undefined;
    // Batches that failed may have offered tasks early (EarlyClaims): put the queues back in line
    // with the store (offers are by key, so tasks already queued are not doubled).
    this.#tasks.rebuild(await loadScheduledTasks(this.#kv, this.partitionCount));
  }

  /**
   * The log holds batches the store missed (the one whose store write failed and those queued
   * behind it). Reopen the store, drop the cache (it holds state the store lacks), and replay from
   * the store's checkpoint exactly as a restart would: those commands never reached the store, so
   * none is applied twice. Their effects ran when they were logged; timers are announced again
   * (by key, so at most once each) because a timer that came due during the failure found no
   * record in the store and was dropped from memory. Tasks are not offered again: a task still in
   * a queue is there, and one handed out is claimed or put back by its poller.
   */
  async #recoverStore(): Promise<number> {
    await this.#kv.recover?.();
    const checkpoint = await readCheckpoint(this.#kv);
    const from = checkpoint === undefined ? 0 : Number(checkpoint.appliedOffset) + 1;
    await this.#reloadMetadata();
    const replay = await this.#replayFrom(from, (effects) => {
      for (const effect of effects) if (effect.kind === 'timer') this.#runEffect(effect);
    });
    return replay.commands;
  }

  /** Replays the log from `from` through the live apply path, in batches with their checkpoints. */
  #replayFrom(from: number, onEffects?: (effects: Effect[]) => void): ReturnType<typeof replayLog> {
    return replayLog({
      log: this.#log,
      from,
      applier: this.#applier,
      cache: this.#cache,
      kv: this.#kv,
      maxCommandsPerBatch: this.#limits.maxCommandsPerBatch,
      nextBatchSeq: () => ++this.#batchSeq,
      ...(onEffects === undefined ? {} : { onEffects }),
    });
  }

  #rejectQueued(err: Error): void {
    for (const p of this.#queue.take(this.#queue.length)) p.reject(err);
  }

  #refusal(): Error | undefined {
    if (!this.#ready) return new EngineUnavailableError('The server is still starting.');
    if (this.#closing) return new EngineUnavailableError('The server is shutting down.');
    if (this.#failure) return new EngineUnavailableError('The server cannot accept writes right now (storage failure).');
    return undefined;
  }

  /** While the store is being reopened after a failed write, reads fail too: say so, retryably. */
  #readFailed(err: unknown): never {
    if (this.#failure?.kind === 'store') throw new ApiError(Code.UNAVAILABLE, 'The server is recovering its store; retry shortly.');
    throw err;
  }

  #assertReadable(): void {
    if (!this.#ready) throw new EngineUnavailableError('The server is still starting.');
    if (this.#closeDone) throw new EngineUnavailableError('The server is shutting down.');
  }
}
