// The engine of kafka mode. Ingress produces each command to its partition of the command topic
// and waits for its outcome at the partition's owner. Each instance processes the partitions the
// consumer group gives it: it fences the previous owner (transactional id per partition),
// restores the partition's state from its changelog, then loops: fetch committed commands, apply
// them with the processor embedded mode uses, and commit in ONE Kafka transaction per partition
// the changelog records, the timers for other partitions and the new input positions; only then
// write the local store, answer, and run effects (a batch's new tasks are offered before its
// commit, so claims on them join it: kafka-early-claims.ts). The input positions live in the
// state itself, so state and input can never disagree. Metadata is one more partition whose
// changelog every instance follows into its local store.
import type { Consumer } from '@platformatic/kafka';
import { Command } from '@filly/proto/internal';
import { Code } from '../processor/api-error.ts';
import type { RecordCodec } from '../processor/context.ts';
import { METADATA_PARTITION } from '../commands/routing.ts';
import { BatchApplier, type ApplyFn } from '../engine/batch-applier.ts';
import { pageLimit, type CommandOutcome, type EngineApi, type ScanOptions } from '../engine/engine-api.ts';
import { EngineUnavailableError } from '../engine/engine-errors.ts';
import { Watchers, type WatchListener } from '../engine/watchers.ts';
import { commandProblem, runEffect, TOO_MANY_WRITES } from '../engine/command-checks.ts';
import { encodeShared } from '../processor/shared-writer.ts';
import { readMetadata } from '../engine/startup-loads.ts';
import { TaskQueues, DEFAULT_TASK_QUEUE_BOUNDS } from '../effects/task-queues/task-queues.ts';
import { partitionPart } from '../store/keys.ts';
import type { KvStore } from '../store/kv-store.ts';
import { StateCache } from '../store/state-cache.ts';
import type { ClusterView } from './cluster-view.ts';
import { servedPartitions, type LocalPartitions } from './local-partitions.ts';
import { CommandOutcomes, isMoved, PARTITION_MOVED } from './command-outcomes.ts';
import { PartitionOwnership } from './partition-ownership.ts';
import { partitionOfStoreKey } from './changelog-records.ts';
import { sleep } from './kafka-calls.ts';
import type { KafkaEngineOptions, RemotePartitions } from './kafka-engine-options.ts';
import { KafkaMembership, type Ownership } from './membership.ts';
import { MetadataFollower } from './metadata-follower.ts';
import { CommandProducer } from './command-producer.ts';
import { isMetadataKey } from '../store/key-space.ts';
import type { OwnedPartition } from './owned-partition.ts';
import { preparePartitionBatch, type PreparedBatch } from './partition-batch.ts';
import { PartitionFetcher, type FetchedRecord } from './partition-fetcher.ts';
import { openStandbyFollower, type StandbyFollower } from './standby-follower.ts';
import { CLAIM_NOT_COMMITTED, KafkaEarlyClaims } from './kafka-early-claims.ts';

const MAX_SUBMIT_HOPS = 5;
const IDLE_WAIT_MS = 50;
const METADATA_CATCH_UP_MS = 5_000;

export class KafkaEngine implements EngineApi {
  readonly partitionCount: number;
  readonly #o: KafkaEngineOptions;
  readonly #kv: KvStore;
  readonly #cache: StateCache;
  readonly #applier: BatchApplier;
  readonly #tasks: TaskQueues;
  readonly #watchers = new Watchers();
  readonly #earlyClaims: KafkaEarlyClaims;
  readonly #outcomes: CommandOutcomes;
  readonly #ownership: PartitionOwnership;
  readonly #ingress: CommandProducer;
  readonly #fetchConsumer: Consumer;
  readonly #fetcher: PartitionFetcher;
  readonly #followConsumer: Consumer;
  readonly #follower: MetadataFollower;
  readonly #restoreConsumer: Consumer;
  readonly #restorer: PartitionFetcher;
  readonly #standbyConsumer: Consumer | undefined;
  readonly #standby: StandbyFollower | undefined;
  readonly #membership: KafkaMembership;
  #remote: RemotePartitions | undefined;
  #desired: Ownership = { partitions: new Set(), metadata: false, standby: new Set() };
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
    this.#earlyClaims = new KafkaEarlyClaims(o.limits.maxCommandsPerBatch, (command, payload) => this.#produceAndWait(command, payload));
    this.#outcomes = new CommandOutcomes({ maxKept: 100_000, keepMs: 120_000, maxWaiters: o.limits.maxPendingCommands });
    this.#ingress = new CommandProducer(o.clients.producer({ idempotent: true }), o.topics, o.limits.maxPendingCommands);
    this.#fetchConsumer = o.clients.consumer(`${o.clusterId}-reader`);
    this.#fetcher = new PartitionFetcher(this.#fetchConsumer, o.fetch);
    this.#followConsumer = o.clients.consumer(`${o.clusterId}-reader`);
    this.#follower = new MetadataFollower({
      consumer: this.#followConsumer,
      fetch: o.fetch,
      kv: o.kv,
      cache: this.#cache,
      topic: o.topics.metadataChangelog,
      runId: o.runId,
      logger: o.logger,
      closing: () => this.#closing,
    });
    this.#restoreConsumer = o.clients.consumer(`${o.clusterId}-reader`);
    this.#restorer = new PartitionFetcher(this.#restoreConsumer, { ...o.fetch, maxWaitMs: 100 });
    [this.#standbyConsumer, this.#standby] = openStandbyFollower(o, () => this.#closing, (p) => this.#ownership.mayStandby(p)) ?? [];
    this.#ownership = new PartitionOwnership({
      options: o,
      cache: this.#cache,
      tasks: this.#tasks,
      watchers: this.#watchers,
      outcomes: this.#outcomes,
      commands: this.#fetcher,
      restorer: this.#restorer,
      follower: this.#follower,
      standby: this.#standby,
      submit: (command) => this.submit(command),
      closing: () => this.#closing,
    });
    this.#membership = new KafkaMembership({
      consumer: o.clients.consumer(`${o.clusterId}-core`),
      admin: o.clients.admin(),
      groupId: `${o.clusterId}-core`,
      self: o.self,
      coreCommandTopic: o.topics.coreCommand,
      metadataCommandTopic: o.topics.metadataCommand,
      standbyTopic: o.topics.coreChangelog, standbyReplicas: o.standbyReplicas ?? 0,
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

  /** What this instance owns and follows, for the health server's /status. */
  status(): Record<string, unknown> {
    return { instanceId: this.#o.self.instanceId, coreActiveTasks: this.#ownership.status(), coreStandbyTasks: this.#standby?.status() ?? [] };
  }

  // ---- EngineApi ------------------------------------------------------------------------------

  async submit(command: Command): Promise<CommandOutcome> {
    if (!this.#ready) throw new EngineUnavailableError('The server is still starting.');
    if (this.#closing) throw new EngineUnavailableError('The server is shutting down.');
    const payload = encodeShared(Command, command);
    const problem = commandProblem(command, payload, this.#o.limits.maxRecordBytes, this.partitionCount);
    return problem ?? this.#earlyClaims.capture(command, payload) ?? this.#produceAndWait(command, payload);
  }

  /** Puts the command in the command log and waits for its partition's owner to apply it. */
  async #produceAndWait(command: Command, payload: Uint8Array): Promise<CommandOutcome> {
    if (!this.#ingress.hasRoom()) return TOO_MANY_WRITES;
    const partition = command.partition;
    const metadata = partition === METADATA_PARTITION;
    try {
      await this.#ingress.produce(command, payload);
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

  /** After a metadata write: make it visible to reads on this instance before answering. */
  async #catchUpMetadata(): Promise<void> {
    try {
      await this.#follower.reachEnd(METADATA_CATCH_UP_MS);
    } catch (err) {
      this.#o.logger.warn({ err }, 'could not check the metadata changelog position');
    }
  }

  async get<T>(codec: RecordCodec<T>, key: string): Promise<T | undefined> {
    this.#assertReadable();
    const partition = partitionOfStoreKey(key);
    if (partition === undefined) throw new Error(`key ${key} belongs to no partition`);
    const local = partition === METADATA_PARTITION || this.isServing(partition);
    // Every request checks its tenant, and most reads are of WfRuns just worked on: answer from
    // memory what is all committed (groups only of partitions this instance serves).
    const cached = isMetadataKey(key) ? this.#cache.loggedMetadataRecord(codec, key) : local ? this.#cache.loggedGroupRecord(codec, key) : undefined;
    if (cached !== undefined) return cached.value;
    const bytes = local ? await this.#kv.get(key) : await this.#remoteOrFail(partition).get(partition, key);
    return bytes === undefined ? undefined : codec.decode(bytes);
  }

  async scan<T>(codec: RecordCodec<T>, prefix: string, options: ScanOptions): Promise<Array<{ key: string; value: T }>> {
    this.#assertReadable();
    const partition = partitionOfStoreKey(prefix);
    if (partition === undefined || (partition >= 0 && !prefix.startsWith(`c/${partitionPart(partition)}/`))) {
      throw new Error(`scan prefix ${prefix} does not name one partition`);
    }
    const limit = pageLimit(options.limit, this.#o.limits.maxPageSize);
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
    return this.#ownership.isServing(partition);
  }

  /** The side of this instance that other instances call through the internal API. */
  localPartitions(): LocalPartitions {
    return servedPartitions({
      isServing: (p) => this.isServing(p),
      kv: this.#kv,
      watchers: this.#watchers,
      maxPageSize: this.#o.limits.maxPageSize,
      waitForCommand: (p, commandId, timeoutMs) => this.waitForCommand(p, commandId, timeoutMs),
    });
  }

  waitForCommand(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome> {
    if (this.#ownership.get(partition) === undefined) return Promise.resolve(PARTITION_MOVED);
    return this.#outcomes.wait(partition, commandId, Math.min(timeoutMs, this.#o.limits.commandTimeoutMs));
  }

  close(): Promise<void> {
    this.#closeDone ??= this.#close();
    return this.#closeDone;
  }

  // ---- start and stop ---------------------------------------------------------------------------

  async #start(): Promise<void> {
    const o = this.#o;
    // Catch up with the metadata changelog before serving anything.
    await this.#follower.catchUp();
    if (o.remote) this.#remote = o.remote(this.#membership, this.localPartitions());
    await this.#membership.start();
    this.#ready = true;
    this.#loops = [this.#processLoop(), this.#follower.run(), ...(this.#standby ? [this.#standby.run()] : [])];
  }

  async #close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled(this.#loops);
    await this.#ownership.releaseAll();
    await this.#membership.close();
    this.#outcomes.close({ ok: false, code: Code.UNAVAILABLE, message: 'The server is shutting down.' });
    this.#remote?.close();
    await Promise.allSettled([this.#ingress.close(), this.#fetchConsumer.close(true), this.#followConsumer.close(true), this.#restoreConsumer.close(true), this.#standbyConsumer?.close(true)]);
    await this.#kv.close();
  }

  // ---- processing -------------------------------------------------------------------------------

  async #processLoop(): Promise<void> {
    while (!this.#closing) {
      this.#ownership.reconcile(this.#desired);
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
      const part = this.#ownership.get(p)!;
      const seq = ++this.#batchSeq;
      maxSeq = seq;
      try {
        const batch = await preparePartitionBatch({
          partition: p, commands: input.commands, repartition: input.repartition,
          positions: {
            commands: this.#fetcher.position(p === METADATA_PARTITION ? o.topics.metadataCommand : o.topics.coreCommand, p === METADATA_PARTITION ? 0 : p) ?? 0n,
            repartition: p === METADATA_PARTITION ? 0n : this.#fetcher.position(o.topics.coreRepartition, p) ?? 0n,
          },
        }, {
          applier: this.#applier, kv: this.#kv, topics: o.topics, runId: o.runId, batchSeq: seq, logger: o.logger,
          ...(o.observer ? { observer: o.observer } : {}),
          ...this.#earlyClaims.depsFor(part),
        });
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
      const { batch } = prepared[i]!;
      if (!committed[i]) {
        for (const { pending } of batch.claims) pending.resolve(CLAIM_NOT_COMMITTED);
        continue;
      }
      for (const { pending, outcome } of batch.claims) pending.resolve(outcome);
      for (const { commandId, outcome } of batch.outcomes) this.#outcomes.complete(commandId, outcome);
      const sinks = prepared[i]!.part.effects;
      if (sinks) for (const effect of batch.effects) runEffect(effect, sinks);
    }
  }

  /** One transaction for one partition's batch, then the local store. False if it did not commit. */
  async #commit(part: OwnedPartition, batch: PreparedBatch): Promise<boolean> {
    try {
      const commitStartMs = performance.now();
      await part.commit(batch, part.isMetadata ? this.#o.topics.metadataChangelog : this.#o.topics.coreChangelog, this.#kv);
      this.#o.observer?.batchDurable(batch.appliedCount, performance.now() - commitStartMs);
      return true;
    } catch (err) {
      this.#o.logger.error({ err, partition: part.partition }, 'committing a batch failed');
      return false;
    }
  }

  /** Drops what a failed batch left in memory and takes the partition over again from the log. */
  #restart(part: OwnedPartition): void {
    this.#ownership.release(part);
    if (part.isMetadata) {
      // The cache may hold metadata the failed batch never committed: replace it from the store,
      // swapping only once the store has been read (the cache answers every tenant check).
      readMetadata(this.#kv).then((rows) => {
        this.#cache.clearMetadata();
        this.#cache.loadMetadata(rows);
      }, (err: unknown) => this.#o.logger.error({ err }, 'could not reload metadata after a failed batch'));
    }
    // The next reconcile acquires it again if the group still assigns it here.
  }

  // ---- helpers ----------------------------------------------------------------------------------

  async #waitAnywhere(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome> {
    if (this.#ownership.get(partition) !== undefined) return this.waitForCommand(partition, commandId, timeoutMs);
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

  #assertReadable(): void {
    if (!this.#ready) throw new EngineUnavailableError('The server is still starting.');
    if (this.#closing) throw new EngineUnavailableError('The server is shutting down.');
  }
}
