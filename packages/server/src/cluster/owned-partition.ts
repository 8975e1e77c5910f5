// One partition this instance has been assigned: its transactional producer (whose id fences any
// earlier owner), its timers, and where it is in its life. A partition serves nothing until it is
// restored; a released one never serves again (a new assignment makes a new OwnedPartition).
import type { Producer } from '@platformatic/kafka';

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;
import type { PartitionTimers } from '../effects/timers/partition-timers.ts';
import { METADATA_PARTITION } from '../commands/routing.ts';
import { partitionPart } from '../store/keys.ts';

export type PartitionState = 'acquiring' | 'serving' | 'released';

export class OwnedPartition {
  readonly partition: number;
  readonly producer: Producer;
  state: PartitionState = 'acquiring';
  /** The open transaction: begun at acquisition (that begin is what fences the old owner). */
  transaction: Transaction | undefined;
  timers: PartitionTimers | undefined;

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
}

/** The transactional id of a partition's producer: the same on every instance, so owners fence each other. */
export function transactionalIdOf(clusterId: string, partition: number): string {
  return partition === METADATA_PARTITION ? `${clusterId}-metadata` : `${clusterId}-core-${partitionPart(partition)}`;
}
