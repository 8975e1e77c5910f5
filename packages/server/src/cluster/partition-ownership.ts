// The partitions this instance processes, kept in line with what the consumer group assigns.
// Taking one over: fence the previous owner, restore its state from the changelog, rebuild its
// task queue and timers, then start reading its commands. Giving one up: stop reading, stop its
// timers, drop its cached state, and send its waiters to the new owner. Partitions assigned as
// standbys are handed to the standby follower; one this instance takes over stops being followed
// before its restore starts, and one it gives up is followed only once its restore has ended.
import type { Command } from '@filly/proto/internal';
import { METADATA_PARTITION } from '../commands/routing.ts';
import type { CommandOutcome } from '../engine/engine-api.ts';
import { loadScheduledTasksOf } from '../engine/startup-loads.ts';
import type { Watchers } from '../engine/watchers.ts';
import type { TaskQueues } from '../effects/task-queues/task-queues.ts';
import { PartitionTimers } from '../effects/timers/partition-timers.ts';
import { DEFAULT_TIMER_BOUNDS } from '../effects/timers/timer-service.ts';
import { partitionPart } from '../store/keys.ts';
import type { StateCache } from '../store/state-cache.ts';
import { decodePositions, inputPositionKey } from './changelog-records.ts';
import { coreChangelogTarget, restoreChangelog, type RestoreResult } from './changelog-restore.ts';
import { PARTITION_MOVED, type CommandOutcomes } from './command-outcomes.ts';
import type { KafkaEngineOptions } from './kafka-engine-options.ts';
import type { Ownership } from './membership.ts';
import type { MetadataFollower } from './metadata-follower.ts';
import { OwnedPartition, transactionalIdOf } from './owned-partition.ts';
import type { PartitionFetcher } from './partition-fetcher.ts';
import type { StandbyFollower } from './standby-follower.ts';

const METADATA_TAKEOVER_MS = 60_000;

export interface OwnershipDeps {
  options: KafkaEngineOptions;
  cache: StateCache;
  tasks: TaskQueues;
  watchers: Watchers;
  outcomes: CommandOutcomes;
  /** The reader of command and repartition topics: positioned on every partition served here. */
  commands: PartitionFetcher;
  /** The reader used for restores (one at a time). */
  restorer: PartitionFetcher;
  follower: MetadataFollower;
  /** Present when standby replicas are configured. */
  standby: StandbyFollower | undefined;
  submit: (command: Command) => Promise<CommandOutcome>;
  closing: () => boolean;
}

/** How the last takeover of a partition went (for /status and failover measurements). */
export interface TakeoverStatus {
  partition: number;
  state: OwnedPartition['state'];
  /** Changelog records the restore read (0 when the local copy, e.g. a standby's, was current). */
  restoredRecords: number | null;
  restoredFromOffset: number | null;
  changelogEndOffset: number | null;
  wiped: boolean | null;
  /** From the start of the takeover (fencing included) until the partition served. */
  takeoverMs: number | null;
}

export class PartitionOwnership {
  readonly #deps: OwnershipDeps;
  readonly #owned = new Map<number, OwnedPartition>();
  readonly #restored = new Map<OwnedPartition, { result: RestoreResult | undefined; takeoverMs: number | undefined }>();
  #restoreChain: Promise<void> = Promise.resolve();
  /** The partition whose restore is running now (restores run one at a time). */
  #restoring: number | undefined;

  constructor(deps: OwnershipDeps) {
    this.#deps = deps;
  }

  get(partition: number): OwnedPartition | undefined {
    return this.#owned.get(partition);
  }

  /** True when this instance owns the partition and has finished restoring it. */
  isServing(partition: number): boolean {
    return this.#owned.get(partition)?.state === 'serving';
  }

  /** Makes what this instance processes match what the group assigned. */
  reconcile(desired: Ownership): void {
    const wanted = new Set(desired.partitions);
    if (desired.metadata) wanted.add(METADATA_PARTITION);
    for (const part of [...this.#owned.values()]) if (!wanted.has(part.partition)) this.release(part);
    for (const p of wanted) if (!this.#owned.has(p)) this.#acquire(p);
    this.#deps.standby?.follow(new Set([...desired.standby].filter((p) => !wanted.has(p))));
  }

  /** True when a standby may write the partition's keys: not owned here, and no restore of it running. */
  mayStandby(partition: number): boolean {
    return !this.#owned.has(partition) && this.#restoring !== partition;
  }

  /** The partitions this instance owns, with how their takeover went. */
  status(): TakeoverStatus[] {
    const num = (x: bigint | undefined): number | null => (x === undefined ? null : Number(x));
    return [...this.#owned.values()].sort((a, b) => a.partition - b.partition).map((part) => {
      const r = this.#restored.get(part);
      return {
        partition: part.partition,
        state: part.state,
        restoredRecords: r?.result?.records ?? null,
        restoredFromOffset: num(r?.result?.fromOffset),
        changelogEndOffset: num(r?.result?.endOffset),
        wiped: r?.result?.wiped ?? null,
        takeoverMs: r?.takeoverMs ?? null,
      };
    });
  }

  /** Gives up every partition and waits for restores in progress (at close). */
  async releaseAll(): Promise<void> {
    const producers = [...this.#owned.values()].map((part) => part.producer);
    for (const part of [...this.#owned.values()]) this.release(part);
    await Promise.allSettled(producers.map((p) => p.close()));
    await this.#restoreChain.catch(() => undefined);
  }

  release(part: OwnedPartition): void {
    if (part.released) return;
    const { options: o, commands } = this.#deps;
    part.state = 'released';
    this.#owned.delete(part.partition);
    this.#restored.delete(part);
    part.timers?.stop();
    if (part.isMetadata) {
      commands.forget(o.topics.metadataCommand, 0);
    } else {
      commands.forget(o.topics.coreCommand, part.partition);
      commands.forget(o.topics.coreRepartition, part.partition);
      this.#deps.cache.dropGroups(`c/${partitionPart(part.partition)}/`);
    }
    this.#deps.outcomes.releasePartition(part.partition, PARTITION_MOVED);
    void part.producer.close().catch(() => undefined);
    o.logger.info({ partition: part.partition }, 'partition released');
    o.onServingChange?.();
  }

  #acquire(partition: number): void {
    const o = this.#deps.options;
    const part = new OwnedPartition(partition, o.clients.producer({ transactionalId: transactionalIdOf(o.clusterId, partition), idempotent: true }));
    this.#owned.set(partition, part);
    // Restores run one at a time: each reads a whole changelog partition.
    this.#restoreChain = this.#restoreChain.then(() => this.#restoreOne(part)).catch((err: unknown) => {
      o.logger.error({ err, partition }, 'could not take over the partition; will retry');
      if (!part.released) this.release(part);
    });
  }

  async #restoreOne(part: OwnedPartition): Promise<void> {
    this.#restoring = part.partition;
    try {
      await this.#restore(part);
    } finally {
      this.#restoring = undefined;
    }
  }

  async #restore(part: OwnedPartition): Promise<void> {
    const d = this.#deps;
    const o = d.options;
    if (part.released || d.closing()) return;
    const started = Date.now();
    // Beginning a transaction with the partition's transactional id fences the previous owner:
    // after this, nothing it sends can commit, and its open transaction is aborted.
    await part.fence();
    const p = part.partition;
    if (part.isMetadata) {
      if (!(await d.follower.reachEnd(METADATA_TAKEOVER_MS))) {
        throw new Error(`the metadata changelog could not be read to its end within ${METADATA_TAKEOVER_MS} ms`);
      }
    } else {
      // A standby copy is a head start only: the restore below still reads to the committed end.
      await d.standby?.handOver(p);
      d.cache.dropGroups(`c/${partitionPart(p)}/`);
      const result = await restoreChangelog(d.restorer, o.kv, coreChangelogTarget(o.topics.coreChangelog, p), o.logger, () => part.released || d.closing());
      if (!part.released) this.#restored.set(part, { result, takeoverMs: undefined });
    }
    if (part.released) return;
    const positions = decodePositions(await o.kv.get(inputPositionKey(p)));
    if (!part.isMetadata) {
      d.tasks.rebuild(await loadScheduledTasksOf(o.kv, p));
      part.timers = new PartitionTimers(p, { ...DEFAULT_TIMER_BOUNDS, kv: o.kv, submit: d.submit, nowMs: o.nowMs ?? Date.now, logger: o.logger });
      await part.timers.start();
      d.commands.seek(o.topics.coreRepartition, p, positions.repartition);
    }
    if (part.released) return;
    d.commands.seek(part.isMetadata ? o.topics.metadataCommand : o.topics.coreCommand, part.isMetadata ? 0 : p, positions.commands);
    part.effects = { timer: (_partition, key, dueMs) => part.timers?.onScheduled(key, dueMs), tasks: d.tasks, watchers: d.watchers, logger: o.logger };
    part.state = 'serving';
    const takeoverMs = Date.now() - started;
    const result = this.#restored.get(part)?.result;
    this.#restored.set(part, { result, takeoverMs });
    o.logger.info({ partition: p, restoreMs: takeoverMs, restoredRecords: result?.records, restoredFrom: result?.fromOffset.toString() }, 'partition serving');
    o.onServingChange?.();
  }
}
