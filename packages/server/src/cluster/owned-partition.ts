// One partition this instance has been assigned: its transactional producer (whose id fences any
// earlier owner), its timers, and where it is in its life. A partition serves nothing until it is
// restored; a released one never serves again (a new assignment makes a new OwnedPartition).
import type { Producer } from '@platformatic/kafka';
import type { PartitionTimers } from '../effects/timers/partition-timers.ts';
import type { EffectSinks } from '../engine/command-checks.ts';
import type { KvStore } from '../store/kv-store.ts';
import { METADATA_PARTITION } from '../commands/routing.ts';
import { partitionPart } from '../store/keys.ts';
import { changelogCheckpointKey, encodeOffset } from './changelog-records.ts';
import { KAFKA_CALL_TIMEOUT_MS, withTimeout } from './kafka-calls.ts';
import type { PreparedBatch } from './partition-batch.ts';

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

export type PartitionState = 'acquiring' | 'serving' | 'released';

export class OwnedPartition {
  readonly partition: number;
  readonly producer: Producer;
  state: PartitionState = 'acquiring';
  /** The open transaction: begun at acquisition (that begin is what fences the old owner). */
  transaction: Transaction | undefined;
  timers: PartitionTimers | undefined;
  /** Where this partition's committed effects go (set once it serves). */
  effects: EffectSinks | undefined;

  constructor(partition: number, producer: Producer) {
    this.partition = partition;
    this.producer = producer;
  }

  get isMetadata(): boolean {
    return this.partition === METADATA_PARTITION;
  }

  get released(): boolean {
    return this.state === 'released';
  }

  /** Begins the first transaction, which fences any earlier owner of this partition. */
  async fence(): Promise<void> {
    this.transaction = await this.producer.beginTransaction();
  }

  /**
   * Commits one batch in one Kafka transaction, then writes the local store. Throws (after
   * aborting) when it did not commit; the partition must then be taken over again.
   */
  async commit(batch: PreparedBatch, changelogTopic: string, kv: KvStore): Promise<void> {
    try {
      const tx = this.transaction ?? (await this.producer.beginTransaction());
      this.transaction = tx;
      const result = await withTimeout(tx.send({
        // An absent value is a tombstone (the key was deleted).
        messages: batch.outgoing.map((r) => ({ topic: r.topic, partition: r.partition, key: r.key, value: r.value as Buffer, headers: r.headers })),
        acks: -1,
      }), KAFKA_CALL_TIMEOUT_MS, 'producing a batch');
      await withTimeout(tx.commit(), KAFKA_CALL_TIMEOUT_MS, 'committing a batch');
      this.transaction = undefined;
      const writes = [...batch.localWrites];
      // The changelog holds this batch from its first offset on; checkpointing just before it is
      // safe (a restart re-applies a few records, which is idempotent). The metadata changelog's
      // checkpoint belongs to the follower.
      if (!this.isMetadata) {
        const base = result.offsets?.find((x: { topic: string; partition: number }) => x.topic === changelogTopic && x.partition === this.partition)?.offset;
        if (base !== undefined && base > 0n) writes.push({ key: changelogCheckpointKey(this.partition), value: encodeOffset(base - 1n) });
      }
      await kv.write(writes);
    } catch (err) {
      const tx = this.transaction;
      this.transaction = undefined;
      await tx?.abort().catch(() => undefined);
      throw err;
    }
  }
}

/** The transactional id of a partition's producer: the same on every instance, so owners fence each other. */
export function transactionalIdOf(clusterId: string, partition: number): string {
  return partition === METADATA_PARTITION ? `${clusterId}-metadata` : `${clusterId}-core-${partitionPart(partition)}`;
}
