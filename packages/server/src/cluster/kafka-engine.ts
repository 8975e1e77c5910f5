// The engine of kafka mode. Ingress produces each command to its partition of the command topic
// and waits for its outcome at the partition's owner. Each instance processes the partitions the
// consumer group gives it: it fences the previous owner (transactional id per partition),
// restores the partition's state from its changelog, then loops: fetch committed commands, apply
// them with the processor embedded mode uses, and commit in ONE Kafka transaction per partition
// the changelog records, the timers for other partitions and the new input positions; only then
// write the local store, answer, and run effects. The input positions live in the state itself,
// so state and input can never disagree. Metadata is one more partition whose changelog every
// instance follows into its local store.
import type { Admin, Consumer, Producer } from '@platformatic/kafka';
import { Command } from '@filly/proto/internal';
import type { Limits } from '../config/limits.ts';
import { Code } from '../processor/api-error.ts';
import type { RecordCodec, Effect } from '../processor/context.ts';
import { METADATA_PARTITION, partitionOf, routingOf } from '../commands/routing.ts';
import { BatchApplier, type ApplyFn } from '../engine/batch-applier.ts';
import type { CommandOutcome, EngineApi, ScanOptions } from '../engine/engine-api.ts';
import type { EngineLogger } from '../engine/engine-logger.ts';
import { EngineUnavailableError } from '../engine/engine-errors.ts';
import { Watchers, type WatchListener } from '../engine/watchers.ts';
import { routingProblem, runEffect } from '../engine/command-checks.ts';
import { loadMetadataRows } from '../engine/startup-loads.ts';
import { TaskQueues, DEFAULT_TASK_QUEUE_BOUNDS } from '../effects/task-queues/task-queues.ts';
import { PartitionTimers } from '../effects/timers/partition-timers.ts';
import { DEFAULT_TIMER_BOUNDS } from '../effects/timers/timer-service.ts';
import { Records } from '../processor/records.ts';
import { parseScheduledTaskKey } from '../store/key-space.ts';
import { partitionPart, scheduledTaskPrefix } from '../store/keys.ts';
import type { KvEntry, KvStore } from '../store/kv-store.ts';
import { StateCache } from '../store/state-cache.ts';
import type { ClusterView, MemberInfo } from './cluster-view.ts';
import type { LocalPartitions } from './local-partitions.ts';
import { CommandOutcomes } from './command-outcomes.ts';
import { changelogCheckpointKey, decodeOffset, decodePositions, encodeOffset, inputPositionKey, METADATA_CHECKPOINT_KEY, partitionOfStoreKey } from './changelog-records.ts';
import { applyChangelogRecords, restoreChangelog } from './changelog-restore.ts';
import { KafkaMembership, type Ownership } from './membership.ts';
import { OwnedPartition, transactionalIdOf } from './owned-partition.ts';
import { preparePartitionBatch, type KafkaTopicNames, type PreparedBatch } from './partition-batch.ts';
import { PartitionFetcher, type FetchedRecord, type FetchLimits } from './partition-fetcher.ts';

/** What a forwarded call needs from the rest of the cluster (the internal API's client side). */
export interface RemotePartitions {
  get(partition: number, key: string): Promise<Uint8Array | undefined>;
  scan(partition: number, prefix: string, afterKey: string | undefined, limit: number): Promise<KvEntry[]>;
  waitForCommand(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome>;
  watch(partition: number, topic: string, listener: (detail: string) => void): () => void;
  close(): void;
}

export interface KafkaClientFactory {
  producer(options: { transactionalId?: string; idempotent: boolean }): Producer;
  consumer(groupId: string): Consumer;
  admin(): Admin;
}

export interface KafkaEngineOptions {
  clusterId: string;
  partitionCount: number;
  limits: Limits;
  logger: EngineLogger;
  kv: KvStore;
  topics: KafkaTopicNames;
  clients: KafkaClientFactory;
  self: MemberInfo;
  /** Differs on every start of a process; tags the records it produces. */
  runId: string;
  membership: { sessionTimeoutMs: number; heartbeatIntervalMs: number; rebalanceTimeoutMs: number; refreshIntervalMs: number };
  fetch: FetchLimits;
  /** Builds the forwarding side once the view and the local side exist. */
  remote?: (view: ClusterView, local: LocalPartitions) => RemotePartitions;
  apply?: ApplyFn;
  nowMs?: () => number;
  /** Called after a partition starts or stops being served here (the internal API ends stale calls). */
  onServingChange?: () => void;
}

/** The outcome a waiter gets when the partition moves away: the caller waits again at the new owner. */
export const PARTITION_MOVED: CommandOutcome = { ok: false, code: Code.FAILED_PRECONDITION, message: 'partition-moved: this instance no longer owns the partition' };

const MAX_SUBMIT_HOPS = 5;
const IDLE_WAIT_MS = 50;
const METADATA_CATCH_UP_MS = 5_000;
const KAFKA_CALL_TIMEOUT_MS = 30_000;

export class KafkaEngine implements EngineApi {
  readonly partitionCount: number;
  readonly #o: KafkaEngineOptions;
  readonly #kv: KvStore;
  readonly #cache: StateCache;
  readonly #applier: BatchApplier;
  readonly #tasks: TaskQueues;
  readonly #watchers = new Watchers();
  readonly #outcomes: CommandOutcomes;
  readonly #owned = new Map<number, OwnedPartition>();
  readonly #ingress: Producer;
  readonly #fetchConsumer: Consumer;
  readonly #fetcher: PartitionFetcher;
  readonly #followConsumer: Consumer;
  readonly #follower: PartitionFetcher;
  readonly #restoreConsumer: Consumer;
  readonly #restorer: PartitionFetcher;
  readonly #membership: KafkaMembership;
  #remote: RemotePartitions | undefined;
  #desired: Ownership = { partitions: new Set(), metadata: false };
  #restoreChain: Promise<void> = Promise.resolve();
  #batchSeq = 0;
  #ready = false;
  #closing = false;
  #loops: Promise<void>[] = [];
  #closeDone: Promise<void> | undefined;

  private constructor(o: KafkaEngineOptions, apply: ApplyFn) {
    this.#o = o;
    this.partitionCount = o.partitionCount;
    this.#kv = o.kv;
    this.#cache = new StateCache(o.limits.maxCachedWfRuns);
    this.#applier = new BatchApplier(this.#cache, o.kv, apply, o.limits, o.logger, o.partitionCount);
    this.#tasks = new TaskQueues(DEFAULT_TASK_QUEUE_BOUNDS, o.logger);
    this.#outcomes = new CommandOutcomes({ maxKept: 100_000, keepMs: 120_000, maxWaiters: o.limits.maxPendingCommands });
    this.#ingress = o.clients.producer({ idempotent: true });
    this.#fetchConsumer = o.clients.consumer(`${o.clusterId}-reader`);
    this.#fetcher = new PartitionFetcher(this.#fetchConsumer, o.fetch);
    this.#followConsumer = o.clients.consumer(`${o.clusterId}-reader`);
    this.#follower = new PartitionFetcher(this.#followConsumer, o.fetch);
    this.#restoreConsumer = o.clients.consumer(`${o.clusterId}-reader`);
    this.#restorer = new PartitionFetcher(this.#restoreConsumer, { ...o.fetch, maxWaitMs: 100 });
    this.#membership = new KafkaMembership({
      consumer: o.clients.consumer(`${o.clusterId}-core`),
      admin: o.clients.admin(),
      groupId: `${o.clusterId}-core`,
      self: o.self,
      coreCommandTopic: o.topics.coreCommand,
      metadataCommandTopic: o.topics.metadataCommand,
      partitionCount: o.partitionCount,
      ...o.membership,
      logger: o.logger,
      onAssignment: (owned) => {
        this.#desired = owned;
      },
    });
  }

  static async open(o: KafkaEngineOptions): Promise<KafkaEngine> {
    const apply = o.apply ?? (await import('../processor/apply.ts')).applyCommand;
    const engine = new KafkaEngine(o, apply);
    await engine.#start();
    return engine;
  }

  get tasks(): TaskQueues {
    return this.#tasks;
  }

  get cluster(): ClusterView {
    return this.#membership;
  }

  isReady(): boolean {
    return this.#ready && !this.#closing;
  }

  // ---- EngineApi ------------------------------------------------------------------------------

  async submit(command: Command): Promise<CommandOutcome> {
    if (!this.#ready) throw new EngineUnavailableError('The server is still starting.');
    if (this.#closing) throw new EngineUnavailableError('The server is shutting down.');
    const payload = Command.encode(command).finish();
    if (payload.length > this.#o.limits.maxRecordBytes) {
      return { ok: false, code: Code.RESOURCE_EXHAUSTED, message: `The request is ${payload.length} bytes; the limit is ${this.#o.limits.maxRecordBytes} bytes.` };
    }
    const problem = routingProblem(command, this.partitionCount);
    if (problem) return problem;
    const partition = command.partition;
    const metadata = partition === METADATA_PARTITION;
    try {
      await withTimeout(this.#ingress.send({
        messages: [{
          topic: metadata ? this.#o.topics.metadataCommand : this.#o.topics.coreCommand,
          partition: metadata ? 0 : partition,
          key: Buffer.from(command.commandId, 'utf8'),
          value: Buffer.from(payload),
        }],
        acks: -1,
      }), KAFKA_CALL_TIMEOUT_MS, 'producing a command');
    } catch (err) {
      throw new EngineUnavailableError('The command log cannot be written right now.', { cause: err });
    }
    const deadline = Date.now() + this.#o.limits.commandTimeoutMs;
    let outcome: CommandOutcome = PARTITION_MOVED;
    // The command is in the log: whoever owns the partition will apply it, so after a move the
    // wait simply continues at the new owner. Bounded by hops and the deadline.
    for (let hop = 0; hop < MAX_SUBMIT_HOPS && Date.now() < deadline; hop++) {
      outcome = await this.#waitAnywhere(partition, command.commandId, deadline - Date.now());
      if (!isMoved(outcome)) break;
    }
    if (metadata && outcome.ok) await this.#catchUpMetadata();
    return outcome;
  }

  async get<T>(codec: RecordCodec<T>, key: string): Promise<T | undefined> {
    this.#assertReadable();
    const partition = partitionOfStoreKey(key);
    if (partition === undefined) throw new Error(`key ${key} belongs to no partition`);
    const bytes = partition === METADATA_PARTITION || this.isServing(partition) ? await this.#kv.get(key) : await this.#remoteOrFail(partition).get(partition, key);
    return bytes === undefined ? undefined : codec.decode(bytes);
  }

  async scan<T>(codec: RecordCodec<T>, prefix: string, options: ScanOptions): Promise<Array<{ key: string; value: T }>> {
    this.#assertReadable();
    const partition = partitionOfStoreKey(prefix);
    if (partition === undefined || (partition >= 0 && !prefix.startsWith(`c/${partitionPart(partition)}/`))) {
      throw new Error(`scan prefix ${prefix} does not name one partition`);
    }
    const limit = Math.max(0, Math.min(Math.floor(options.limit), this.#o.limits.maxPageSize));
    const rows = partition === METADATA_PARTITION || this.isServing(partition)
      ? await this.#kv.scan({ prefix, afterKey: options.afterKey, limit })
      : await this.#remoteOrFail(partition).scan(partition, prefix, options.afterKey, limit);
    return rows.map((row) => ({ key: row.key, value: codec.decode(row.value) }));
  }

  watch(partition: number, topic: string, listener: WatchListener): () => void {
    if (this.isServing(partition) || this.#remote === undefined) return this.#watchers.add(topic, listener);
    return this.#remote.watch(partition, topic, listener);
  }

  // ---- LocalPartitions (served to other instances) ----------------------------------------------

  isServing(partition: number): boolean {
    return this.#owned.get(partition)?.state === 'serving';
  }

  /** The side of this instance that other instances call through the internal API. */
  localPartitions(): LocalPartitions {
    return {
      isServing: (p) => this.isServing(p),
      get: async (p, key) => {
        this.#assertServing(p, key);
        return this.#kv.get(key);
      },
      scan: async (p, prefix, afterKey, limit) => {
        this.#assertServing(p, prefix);
        return this.#kv.scan({ prefix, afterKey, limit: Math.max(0, Math.min(Math.floor(limit), this.#o.limits.maxPageSize)) });
      },
      waitForCommand: (p, commandId, timeoutMs) => this.waitForCommand(p, commandId, timeoutMs),
      watch: (p, topic, listener) => {
        this.#assertServing(p, topic);
        return this.#watchers.add(topic, listener);
      },
    };
  }

  waitForCommand(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome> {
    if (!this.#owned.has(partition) || this.#owned.get(partition)!.released) return Promise.resolve(PARTITION_MOVED);
    return this.#outcomes.wait(partition, commandId, Math.min(timeoutMs, this.#o.limits.commandTimeoutMs));
  }

  close(): Promise<void> {
    this.#closeDone ??= this.#close();
    return this.#closeDone;
  }

  // ---- start and stop ---------------------------------------------------------------------------

  async #start(): Promise<void> {
    const o = this.#o;
    await loadMetadataRows(this.#kv, (rows) => this.#cache.loadMetadata(rows));
    // Catch up with the metadata changelog before serving anything.
    const restored = await restoreChangelog(this.#follower, this.#kv, {
      topic: o.topics.metadataChangelog,
      partition: 0,
      checkpointKey: METADATA_CHECKPOINT_KEY,
      ownedPrefixes: ['m/', inputPositionKey(METADATA_PARTITION)],
    }, o.logger, () => this.#closing);
    this.#cache.clear();
    await loadMetadataRows(this.#kv, (rows) => this.#cache.loadMetadata(rows));
    o.logger.info({ records: restored.records, wiped: restored.wiped }, 'metadata restored from its changelog');
    const checkpoint = decodeOffset(await this.#kv.get(METADATA_CHECKPOINT_KEY));
    this.#follower.seek(o.topics.metadataChangelog, 0, checkpoint === undefined ? restored.fromOffset : checkpoint + 1n);
    if (o.remote) this.#remote = o.remote(this.#membership, this.localPartitions());
    await this.#membership.start();
    this.#ready = true;
    this.#loops = [this.#processLoop(), this.#followLoop()];
  }

  async #close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled(this.#loops);
    const producers = [...this.#owned.values()].map((part) => part.producer);
    for (const part of [...this.#owned.values()]) this.#release(part);
    await Promise.allSettled(producers.map((p) => p.close()));
    await this.#membership.close();
    this.#outcomes.close({ ok: false, code: Code.UNAVAILABLE, message: 'The server is shutting down.' });
    this.#remote?.close();
    await Promise.allSettled([this.#ingress.close(), this.#fetchConsumer.close(true), this.#followConsumer.close(true), this.#restoreConsumer.close(true)]);
    await this.#restoreChain.catch(() => undefined);
    await this.#kv.close();
  }

  // ---- ownership --------------------------------------------------------------------------------

  /** Makes what this instance processes match what the group assigned. */
  #reconcile(): void {
    const wanted = new Set(this.#desired.partitions);
    if (this.#desired.metadata) wanted.add(METADATA_PARTITION);
    for (const part of [...this.#owned.values()]) if (!wanted.has(part.partition)) this.#release(part);
    for (const p of wanted) if (!this.#owned.has(p)) this.#acquire(p);
  }

  #acquire(partition: number): void {
    const part = new OwnedPartition(partition, this.#o.clients.producer({ transactionalId: transactionalIdOf(this.#o.clusterId, partition), idempotent: true }));
    this.#owned.set(partition, part);
    // Restores run one at a time: each reads a whole changelog partition.
    this.#restoreChain = this.#restoreChain.then(() => this.#restore(part)).catch((err: unknown) => {
      this.#o.logger.error({ err, partition }, 'could not take over the partition; will retry');
      if (!part.released) this.#release(part);
    });
  }

  async #restore(part: OwnedPartition): Promise<void> {
    if (part.released || this.#closing) return;
    const o = this.#o;
    const started = Date.now();
    // Beginning a transaction with the partition's transactional id fences the previous owner:
    // after this, nothing it sends can commit, and its open transaction is aborted.
    part.transaction = await part.producer.beginTransaction();
    const p = part.partition;
    if (part.isMetadata) {
      await this.#waitForFollower();
    } else {
      this.#cache.dropGroups(`c/${partitionPart(p)}/`);
      await restoreChangelog(this.#restorer, this.#kv, {
        topic: o.topics.coreChangelog,
        partition: p,
        checkpointKey: changelogCheckpointKey(p),
        ownedPrefixes: [`c/${partitionPart(p)}/`, inputPositionKey(p)],
      }, o.logger, () => part.released || this.#closing);
    }
    if (part.released) return;
    const positions = decodePositions(await this.#kv.get(inputPositionKey(p)));
    if (!part.isMetadata) {
      await this.#loadTasks(p);
      part.timers = new PartitionTimers(p, {
        ...DEFAULT_TIMER_BOUNDS,
        kv: this.#kv,
        submit: (command) => this.submit(command),
        nowMs: o.nowMs ?? Date.now,
        logger: o.logger,
      });
      await part.timers.start();
      this.#fetcher.seek(o.topics.coreRepartition, p, positions.repartition);
    }
    if (part.released) return;
    this.#fetcher.seek(part.isMetadata ? o.topics.metadataCommand : o.topics.coreCommand, part.isMetadata ? 0 : p, positions.commands);
    part.state = 'serving';
    o.logger.info({ partition: p, restoreMs: Date.now() - started }, 'partition serving');
    o.onServingChange?.();
  }

  async #loadTasks(p: number): Promise<void> {
    let afterKey: string | undefined;
    // Bounded: every page moves afterKey forward.
    for (;;) {
      const rows = await this.#kv.scan({ prefix: scheduledTaskPrefix(p), afterKey, limit: 1_000 });
      if (rows.length === 0) return;
      this.#tasks.rebuild(rows.map((row) => {
        const where = parseScheduledTaskKey(row.key);
        return { key: row.key, tenant: where.tenant, taskDefName: where.taskDefName, partition: p, task: Records.scheduledTask.decode(row.value) };
      }));
      afterKey = rows[rows.length - 1]!.key;
    }
  }

  #release(part: OwnedPartition): void {
    if (part.released) return;
    const o = this.#o;
    part.state = 'released';
    this.#owned.delete(part.partition);
    part.timers?.stop();
    if (part.isMetadata) {
      this.#fetcher.forget(o.topics.metadataCommand, 0);
    } else {
      this.#fetcher.forget(o.topics.coreCommand, part.partition);
      this.#fetcher.forget(o.topics.coreRepartition, part.partition);
      this.#cache.dropGroups(`c/${partitionPart(part.partition)}/`);
    }
    this.#outcomes.releasePartition(part.partition, PARTITION_MOVED);
    void part.producer.close().catch(() => undefined);
    o.logger.info({ partition: part.partition }, 'partition released');
    o.onServingChange?.();
  }

  // ---- processing -------------------------------------------------------------------------------

  async #processLoop(): Promise<void> {
    while (!this.#closing) {
      this.#reconcile();
      if (this.#fetcher.size === 0) {
        await sleep(IDLE_WAIT_MS);
        continue;
      }
      let records: FetchedRecord[];
      try {
        records = await this.#fetcher.fetch();
      } catch (err) {
        this.#o.logger.error({ err }, 'fetching commands failed');
        await sleep(IDLE_WAIT_MS * 4);
        continue;
      }
      if (records.length > 0) await this.#processRecords(records);
    }
  }

  async #processRecords(records: FetchedRecord[]): Promise<void> {
    const o = this.#o;
    const inputs = new Map<number, { commands: FetchedRecord[]; repartition: FetchedRecord[] }>();
    for (const r of records) {
      const p = r.topic === o.topics.metadataCommand ? METADATA_PARTITION : r.partition;
      if (!this.isServing(p)) continue;
      const input = inputs.get(p) ?? { commands: [], repartition: [] };
      inputs.set(p, input);
      if (r.topic === o.topics.coreRepartition) input.repartition.push(r);
      else input.commands.push(r);
    }
    const prepared: Array<{ part: OwnedPartition; batch: PreparedBatch }> = [];
    let maxSeq = 0;
    for (const [p, input] of inputs) {
      const part = this.#owned.get(p)!;
      const seq = ++this.#batchSeq;
      maxSeq = seq;
      try {
        const batch = await preparePartitionBatch({
          partition: p,
          commands: input.commands,
          repartition: input.repartition,
          positions: {
            commands: this.#fetcher.position(p === METADATA_PARTITION ? o.topics.metadataCommand : o.topics.coreCommand, p === METADATA_PARTITION ? 0 : p) ?? 0n,
            repartition: p === METADATA_PARTITION ? 0n : this.#fetcher.position(o.topics.coreRepartition, p) ?? 0n,
          },
        }, { applier: this.#applier, kv: this.#kv, topics: o.topics, runId: o.runId, batchSeq: seq, logger: o.logger });
        prepared.push({ part, batch });
      } catch (err) {
        o.logger.error({ err, partition: p }, 'applying a batch failed; taking the partition over again');
        this.#restart(part);
      }
    }
    const committed = await Promise.all(prepared.map(({ part, batch }) => this.#commit(part, batch)));
    for (let i = 0; i < prepared.length; i++) if (!committed[i]) this.#restart(prepared[i]!.part);
    this.#cache.markDurable(maxSeq);
    this.#cache.evict();
    for (let i = 0; i < prepared.length; i++) {
      if (!committed[i]) continue;
      const { batch } = prepared[i]!;
      for (const { commandId, outcome } of batch.outcomes) this.#outcomes.complete(commandId, outcome);
      for (const effect of batch.effects) this.#runEffect(prepared[i]!.part, effect);
    }
  }

  /** One transaction for one partition's batch, then the local store. False if it did not commit. */
  async #commit(part: OwnedPartition, batch: PreparedBatch): Promise<boolean> {
    try {
      const tx = part.transaction ?? (await part.producer.beginTransaction());
      part.transaction = tx;
      const result = await withTimeout(tx.send({
        // An absent value is a tombstone (the key was deleted).
        messages: batch.outgoing.map((r) => ({ topic: r.topic, partition: r.partition, key: r.key, value: r.value as Buffer, headers: r.headers })),
        acks: -1,
      }), KAFKA_CALL_TIMEOUT_MS, 'producing a batch');
      await withTimeout(tx.commit(), KAFKA_CALL_TIMEOUT_MS, 'committing a batch');
      part.transaction = undefined;
      const writes = [...batch.localWrites];
      // The changelog holds this batch from its first offset on; checkpointing just before it is
      // safe (a restart re-applies a few records, which is idempotent).
      const changelogTopic = part.isMetadata ? this.#o.topics.metadataChangelog : this.#o.topics.coreChangelog;
      const base = result.offsets?.find((x: { topic: string; partition: number; offset: bigint }) => x.topic === changelogTopic && x.partition === (part.isMetadata ? 0 : part.partition))?.offset;
      if (base !== undefined && base > 0n && !part.isMetadata) writes.push({ key: changelogCheckpointKey(part.partition), value: encodeOffset(base - 1n) });
      await this.#kv.write(writes);
      return true;
    } catch (err) {
      this.#o.logger.error({ err, partition: part.partition }, 'committing a batch failed');
      const tx = part.transaction;
      part.transaction = undefined;
      await tx?.abort().catch(() => undefined);
      return false;
    }
  }

  /** Drops what a failed batch left in memory and takes the partition over again from the log. */
  #restart(part: OwnedPartition): void {
    this.#release(part);
    if (part.isMetadata) {
      this.#cache.clearMetadata();
      void loadMetadataRows(this.#kv, (rows) => this.#cache.loadMetadata(rows));
    }
    // #reconcile acquires it again on the next pass if the group still assigns it here.
  }

  #runEffect(part: OwnedPartition, effect: Effect): void {
    runEffect(effect, {
      timer: (_partition, key, dueMs) => part.timers?.onScheduled(key, dueMs),
      tasks: this.#tasks,
      watchers: this.#watchers,
      logger: this.#o.logger,
    });
  }


  // ---- metadata follower ------------------------------------------------------------------------

  async #followLoop(): Promise<void> {
    while (!this.#closing) {
      let records: FetchedRecord[];
      try {
        records = await this.#follower.fetch();
      } catch (err) {
        this.#o.logger.error({ err }, 'following the metadata changelog failed');
        await sleep(IDLE_WAIT_MS * 4);
        continue;
      }
      if (records.length === 0) continue;
      const writes = await applyChangelogRecords(this.#kv, records, METADATA_CHECKPOINT_KEY, this.#o.runId);
      for (const w of writes) {
        if (!w.key.startsWith('m/')) continue;
        if (w.value === null) this.#cache.metadata.delete(w.key);
        else this.#cache.metadata.set(w.key, w.value);
      }
    }
  }

  /** Waits until the follower has read the metadata changelog up to its committed end. */
  async #waitForFollower(): Promise<void> {
    const topic = this.#o.topics.metadataChangelog;
    const end = await this.#follower.endOffset(topic, 0);
    const deadline = Date.now() + 60_000;
    while ((this.#follower.position(topic, 0) ?? 0n) < end) {
      if (Date.now() > deadline) throw new Error('the metadata changelog could not be read to its end within 60 s');
      await sleep(10);
    }
  }

  /** After a metadata write: make it visible to reads on this instance before answering. */
  async #catchUpMetadata(): Promise<void> {
    const topic = this.#o.topics.metadataChangelog;
    try {
      const end = await this.#follower.endOffset(topic, 0);
      const deadline = Date.now() + METADATA_CATCH_UP_MS;
      while ((this.#follower.position(topic, 0) ?? 0n) < end && Date.now() < deadline) await sleep(5);
    } catch (err) {
      this.#o.logger.warn({ err }, 'could not check the metadata changelog position');
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  async #waitAnywhere(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome> {
    if (this.#owned.has(partition)) return this.waitForCommand(partition, commandId, timeoutMs);
    if (this.#remote === undefined) {
      await sleep(Math.min(timeoutMs, 200));
      return PARTITION_MOVED;
    }
    return this.#remote.waitForCommand(partition, commandId, timeoutMs);
  }

  #remoteOrFail(partition: number): RemotePartitions {
    if (this.#remote === undefined) throw new EngineUnavailableError(`Partition ${partition} is not served by this instance right now; retry.`);
    return this.#remote;
  }

  #assertServing(partition: number, keyOrTopic: string): void {
    if (!this.isServing(partition)) throw new EngineUnavailableError(`this instance does not own partition ${partition}`);
    const owner = keyOrTopic.startsWith('c/') ? partitionOfStoreKey(keyOrTopic) : partition;
    if (owner !== partition) throw new Error(`${keyOrTopic} is not in partition ${partition}`);
  }

  #assertReadable(): void {
    if (!this.#ready) throw new EngineUnavailableError('The server is still starting.');
    if (this.#closing) throw new EngineUnavailableError('The server is shutting down.');
  }


}

function isMoved(outcome: CommandOutcome): boolean {
  return outcome === PARTITION_MOVED || (!outcome.ok && !PARTITION_MOVED.ok && outcome.code === PARTITION_MOVED.code && outcome.message === PARTITION_MOVED.message);
}

/** A Kafka call that never settles must become a failure the loop can recover from. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
