// The embedded engine: a bounded submit queue, a loop that applies commands in batches against
// the write-through cache, one log append (one fsync) per batch, then replies and effects, and
// one store write per batch carrying its state and the apply checkpoint, chained in batch order
// behind the replies (reads wait for it). While one batch is being logged the next one is
// collected and applied. Start-up replays the log from the store's
// checkpoint through the same apply path, then rebuilds timers and task queues from the store.
import { join } from 'node:path';
import { Command } from '@filly/proto/internal';
import { ApiError, Code } from '../processor/api-error.ts';
import type { Effect, RecordCodec } from '../processor/context.ts';
import { partitionOf, routingOf } from '../commands/routing.ts';
import { SegmentLog } from '../log/segment-log.ts';
import { APPLY_CHECKPOINT_KEY } from '../store/keys.ts';
import { isMetadataKey } from '../store/key-space.ts';
import type { KvEntry, KvStore } from '../store/kv-store.ts';
import { StateCache } from '../store/state-cache.ts';
import { TimerService, DEFAULT_TIMER_BOUNDS } from '../effects/timers/timer-service.ts';
import { TaskQueues, DEFAULT_TASK_QUEUE_BOUNDS } from '../effects/task-queues/task-queues.ts';
import type { CommandOutcome, EngineApi, ScanOptions } from './engine-api.ts';
import { BatchApplier, type AppliedBatch, type ApplyFn } from './batch-applier.ts';
import type { EngineOptions } from './engine-options.ts';
import { stderrLogger, type EngineLogger } from './engine-logger.ts';
import { EngineUnavailableError } from './engine-errors.ts';
import { SubmitQueue, advancesExistingWork, type PendingCommand } from './submit-queue.ts';
import { encodeCheckpoint, loadMetadataRows, loadScheduledTasks, readCheckpoint } from './startup-loads.ts';
import { replayLog } from './replay.ts';
import { openTrustedStore } from './open-store.ts';
import { Watchers, type WatchListener } from './watchers.ts';
import { routingProblem, runEffect, type EffectSinks } from './command-checks.ts';

const DEFAULT_PROBE_INTERVAL_MS = 1_000;
const STORE_WRITE_ATTEMPTS = 3;
/** Logged batches whose store write may still be pending before the loop waits for the store. */
const MAX_STORE_WRITES_BEHIND = 4;

type Failure = { kind: 'log' | 'store'; err: unknown };

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
  get #effectSinks(): EffectSinks {
    return {
      timer: (partition, key, dueMs, record) => this.#timers.onScheduled(partition, key, dueMs, record),
      tasks: this.#tasks,
      watchers: this.#watchers,
      logger: this.#logger,
    };
  }
  readonly #probeIntervalMs: number;
  #batchSeq = 0;
  #ready = false;
  #closing = false;
  #failure: Failure | undefined;
  #loopDone: Promise<void> = Promise.resolve();
  #closeDone: Promise<void> | undefined;
  #wakeSleep: (() => void) | undefined;
  /** Settles after the store write of every batch logged so far (see #queueStoreWrite). */
  #storeTail: Promise<void> = Promise.resolve();
  #storeWritesBehind = 0;
  /** Set by a failed store write: later batches must not land (their checkpoint would pass it). */
  #storeBroken = false;

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
    this.#tasks = new TaskQueues({ ...DEFAULT_TASK_QUEUE_BOUNDS, ...options.taskQueues }, logger);
    this.#timers = new TimerService(options.partitionCount, {
      ...DEFAULT_TIMER_BOUNDS,
      ...options.timers,
      // A timer may be announced before its batch reaches the store: read after that write.
      kv: {
        get: async (key) => {
          await this.#storeTail;
          return kv.get(key);
        },
        scan: async (scan) => {
          await this.#storeTail;
          return kv.scan(scan);
        },
      },
      submit: (command) => this.submit(command),
      nowMs: options.nowMs ?? Date.now,
      logger,
    });
    this.#probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const logger = options.logger ?? stderrLogger;
    // Loaded lazily so that an engine given its own apply function does not load the handlers.
    const apply = options.apply ?? (await import('../processor/apply.ts')).applyCommand;
    const { log, report } = await SegmentLog.open(join(options.dataDir, 'log'), {
      maxRecordBytes: options.limits.maxRecordBytes,
      segmentBytes: options.segmentBytes,
      faults: options.logFaults,
    });
    if (report.truncated) logger.warn({ ...report.truncated }, 'command log: cut away a torn final write');
    let kv: KvStore;
    try {
      kv = await openTrustedStore({
        storeDir: join(options.dataDir, 'store'),
        kv: options.kv,
        log,
        logger,
        verification: options.verifyStoreOnOpen ?? 'full',
      });
    } catch (err) {
      await log.close();
      throw err;
    }
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

  get timers(): TimerService {
    return this.#timers;
  }

  isReady(): boolean {
    return this.#ready && !this.#closing && this.#failure === undefined;
  }

  submit(command: Command): Promise<CommandOutcome> {
    const refusal = this.#refusal();
    if (refusal) return Promise.reject(refusal);
    const payload = Command.encode(command).finish();
    if (payload.length > this.#limits.maxRecordBytes) {
      return refuse(Code.RESOURCE_EXHAUSTED, `The request is ${payload.length} bytes; the limit is ${this.#limits.maxRecordBytes} bytes.`);
    }
    const problem = routingProblem(command, this.partitionCount);
    if (problem) return Promise.resolve(problem);
    return new Promise((resolve, reject) => {
      if (!this.#queue.push({ payload, resolve, reject, urgent: advancesExistingWork(command) })) {
        resolve({ ok: false, code: Code.RESOURCE_EXHAUSTED, message: 'The server has too many writes in progress; retry later.' });
      }
    });
  }

  async get<T>(codec: RecordCodec<T>, key: string): Promise<T | undefined> {
    this.#assertReadable();
    if (isMetadataKey(key)) {
      // Every request checks its tenant: answer metadata from memory when it is all in the log.
      const cached = this.#cache.loggedMetadata(key);
      if (cached !== undefined) return cached === null ? undefined : codec.decode(cached);
    }
    await this.#storeTail;
    const bytes = await this.#kv.get(key).catch((err: unknown) => this.#readFailed(err));
    return bytes === undefined ? undefined : codec.decode(bytes);
  }

  async scan<T>(codec: RecordCodec<T>, prefix: string, options: ScanOptions): Promise<Array<{ key: string; value: T }>> {
    this.#assertReadable();
    const limit = Math.max(0, Math.min(Math.floor(options.limit), this.#limits.maxPageSize));
    await this.#storeTail;
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
    this.#wakeSleep?.();
    await this.#loopDone;
    this.#rejectQueued(new EngineUnavailableError('The server is shutting down.'));
    this.#timers.stop();
    await this.#log.close();
    await this.#kv.close();
  }

  async #start(): Promise<void> {
    const checkpoint = await readCheckpoint(this.#kv);
    const from = checkpoint === undefined ? 0 : Number(checkpoint.appliedOffset) + 1;
    if (from > this.#log.nextOffset) {
      throw new Error(
        `the store has applied the log up to offset ${from - 1} but the log ends before offset ${this.#log.nextOffset}: ` +
          'acknowledged records are missing from the log; refusing to start',
      );
    }
    if (from < this.#log.firstOffset) throw new Error(`the log no longer holds offset ${from}, where replay must start`);
    await this.#reloadMetadata();
    const replay = await replayLog({
      log: this.#log,
      from,
      applier: this.#applier,
      cache: this.#cache,
      kv: this.#kv,
      maxCommandsPerBatch: this.#limits.maxCommandsPerBatch,
      nextBatchSeq: () => ++this.#batchSeq,
    });
    this.#logger.info({ from, replayed: replay.commands, nextOffset: this.#log.nextOffset }, 'command log replayed');
    this.#tasks.rebuild(await loadScheduledTasks(this.#kv, this.partitionCount));
    this.#ready = true;
    this.#loopDone = this.#runLoop();
    await this.#timers.start();
  }

  async #reloadMetadata(): Promise<void> {
    // Read first, then swap: tenant checks are answered from the cached metadata, which must never
    // be seen empty (half-loaded, or cleared by a load that failed during a recovery).
    const pages: KvEntry[][] = [];
    await loadMetadataRows(this.#kv, (rows) => pages.push(rows));
    this.#cache.clear();
    for (const rows of pages) this.#cache.loadMetadata(rows);
  }

  async #runLoop(): Promise<void> {
    let inflight: Promise<boolean> = Promise.resolve(true);
    // Each pass handles one batch or waits; the loop ends only when the engine closes.
    for (;;) {
      if (this.#failure) {
        await inflight;
        await this.#storeTail;
        inflight = Promise.resolve(true);
        await this.#recover();
        if (!this.#failure) this.#storeBroken = false;
        continue;
      }
      if (this.#closing) break;
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
      const applied = this.#applier.applyBatch(commands, seq);
      this.stats.batches++;
      this.#cache.evict();
      if (!(await inflight)) {
        // Applied on top of a batch that never became durable: its results are void.
        for (const p of batch) p.reject(new EngineUnavailableError('The server could not make the write durable.'));
        continue;
      }
      if (this.#storeWritesBehind >= MAX_STORE_WRITES_BEHIND) await this.#storeTail;
      inflight = this.#makeDurable(batch, applied, seq);
    }
    await inflight;
    await this.#storeTail;
  }

  /**
   * Logs one applied batch, answers it and runs its effects, and queues its store write; false if
   * the log append failed. The log is what makes a batch durable (a restart replays it from the
   * store's checkpoint), so answers need not wait for the store; readers do (#storeTail), so no
   * one is shown state older than an answer they got.
   */
  async #makeDurable(batch: PendingCommand[], applied: AppliedBatch, seq: number): Promise<boolean> {
    const payloads: Uint8Array[] = [];
    applied.items.forEach((item, i) => {
      if (item.logged) payloads.push(batch[i]!.payload);
    });
    if (payloads.length === 0 && applied.writes.size > 0) throw new Error('a batch wrote state without logging a command');
    if (payloads.length > 0) {
      try {
        const lastOffset = await this.#log.append(payloads);
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
    this.#queueStoreWrite(applied.writes, seq);
    this.#cache.markLogged(seq);
    applied.items.forEach((item, i) => batch[i]!.resolve(item.outcome));
    for (const item of applied.items) for (const effect of item.effects) this.#runEffect(effect, applied.writes);
    return true;
  }

  /** Chains the batch's store write after the previous ones: the store applies batches in order. */
  #queueStoreWrite(writes: Map<string, Uint8Array | null>, seq: number): void {
    this.#storeWritesBehind++;
    this.#storeTail = this.#storeTail.then(async () => {
      try {
        await this.#writeStore(writes, seq);
      } finally {
        this.#storeWritesBehind--;
      }
    });
  }

  /** Never throws: a failure marks the store broken and the engine failed. */
  async #writeStore(writes: Map<string, Uint8Array | null>, seq: number): Promise<void> {
    if (this.#storeBroken) return;
    let stored = writes.size === 0;
    for (let attempt = 1; !stored && attempt <= STORE_WRITE_ATTEMPTS; attempt++) {
      try {
        await this.#kv.write([...writes].map(([key, value]) => ({ key, value })));
        stored = true;
      } catch (err) {
        this.#logger.error({ err, attempt }, 'store write failed');
      }
    }
    if (!stored) {
      // The commands are in the log, so their (already sent) outcomes stand: recovery replays them.
      this.#storeBroken = true;
      this.#logger.error({}, 'the store cannot be written; refusing writes until it recovers');
      this.#fail({ kind: 'store', err: new Error('store write failed') });
      return;
    }
    this.#cache.markDurable(seq);
  }

  /** `writes`: the batch that created the effect, when it is a live commit (not a replay). */
  #runEffect(effect: Effect, writes?: ReadonlyMap<string, Uint8Array | null>): void {
    runEffect(effect, this.#effectSinks, writes);
  }


  #fail(failure: Failure): void {
    this.#failure ??= failure;
    this.#queue.notify();
  }

  /** After a failure: drop what was not durable, reload from the store, probe the log. */
  async #recover(): Promise<void> {
    const failure = this.#failure;
    if (!failure) return;
    this.#rejectQueued(new EngineUnavailableError('The server cannot accept writes right now.'));
    // Bounded by close(): every pass either recovers, or sleeps and re-checks #closing.
    while (!this.#closing) {
      if (failure.kind === 'store') {
        try {
          const replayed = await this.#recoverStore();
          this.#failure = undefined;
          this.#logger.info({ replayed }, 'store writable again; replayed the commands it missed; accepting writes');
          return;
        } catch (err) {
          this.#logger.warn({ err }, 'store still not writable');
        }
      }
      if (failure.kind === 'log') {
        try {
          await this.#log.probe();
          // A store write may have failed too while the log failure was pending (only the first
          // failure is recorded): then the store misses answered batches, and only a replay from
          // its checkpoint brings them back before the cache is rebuilt from it.
          if (this.#storeBroken) {
            const replayed = await this.#recoverStore();
            this.#logger.info({ replayed }, 'store replayed the commands it missed');
          } else {
            await this.#reloadMetadata();
          }
          this.#failure = undefined;
          this.#logger.info({}, 'command log writable again; accepting writes');
          return;
        } catch (err) {
          this.#logger.warn({ err }, 'command log still not writable');
        }
      }
      this.#rejectQueued(new EngineUnavailableError('The server cannot accept writes right now.'));
      await this.#sleep(this.#probeIntervalMs);
    }
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
    const replay = await replayLog({
      log: this.#log,
      from,
      applier: this.#applier,
      cache: this.#cache,
      kv: this.#kv,
      maxCommandsPerBatch: this.#limits.maxCommandsPerBatch,
      nextBatchSeq: () => ++this.#batchSeq,
      onEffects: (effects) => {
        for (const effect of effects) if (effect.kind === 'timer') this.#runEffect(effect);
      },
    });
    return replay.commands;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wakeSleep = undefined;
        resolve();
      }, ms);
      this.#wakeSleep = () => {
        clearTimeout(t);
        this.#wakeSleep = undefined;
        resolve();
      };
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

function refuse(code: Code, message: string): Promise<CommandOutcome> {
  return Promise.resolve({ ok: false, code, message });
}
