// The partitions this instance processes, kept in line with what the consumer group assigns.
// Taking one over: fence the previous owner, restore its state from the changelog, rebuild its
// task queue and timers, then start reading its commands. Giving one up: stop reading, stop its
// timers, drop its cached state, and send its waiters to the new owner.
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
import { changelogCheckpointKey, decodePositions, inputPositionKey } from './changelog-records.ts';
import { restoreChangelog } from './changelog-restore.ts';
import { PARTITION_MOVED, type CommandOutcomes } from './command-outcomes.ts';
import type { KafkaEngineOptions } from './kafka-engine-options.ts';
import type { Ownership } from './membership.ts';
import type { MetadataFollower } from './metadata-follower.ts';
import { OwnedPartition, transactionalIdOf } from './owned-partition.ts';
import type { PartitionFetcher } from './partition-fetcher.ts';

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
  submit: (command: Command) => Promise<CommandOutcome>;
  closing: () => boolean;
}

export class PartitionOwnership {
  readonly #deps: OwnershipDeps;
  readonly #owned = new Map<number, OwnedPartition>();
  #restoreChain: Promise<void> = Promise.resolve();

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
    this.#restoreChain = this.#restoreChain.then(() => this.#restore(part)).catch((err: unknown) => {
      o.logger.error({ err, partition }, 'could not take over the partition; will retry');
      if (!part.released) this.release(part);
    });
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
      d.cache.dropGroups(`c/${partitionPart(p)}/`);
      await restoreChangelog(d.restorer, o.kv, {
        topic: o.topics.coreChangelog,
        partition: p,
        checkpointKey: changelogCheckpointKey(p),
        ownedPrefixes: [`c/${partitionPart(p)}/`, inputPositionKey(p)],
      }, o.logger, () => part.released || d.closing());
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
    o.logger.info({ partition: p, restoreMs: Date.now() - started }, 'partition serving');
    o.onServingChange?.();
  }
}
