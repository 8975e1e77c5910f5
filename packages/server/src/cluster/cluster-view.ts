// Who is in the cluster and who owns which partition, as one instance currently sees it. Kafka
// mode keeps it current from the consumer group; embedded mode has no cluster view at all.
import type { AdvertisedListener } from '../config/listeners.ts';

export interface MemberInfo {
  /** Stable for the life of one process; a restarted instance gets a new one. */
  instanceId: string;
  /** Where the internal API of this member listens (LHS_INTERNAL_ADVERTISED_HOST/PORT). */
  internalHost: string;
  internalPort: number;
  /** Public listeners, as task workers should reach them (LHS_ADVERTISED_LISTENERS). */
  advertised: AdvertisedListener[];
}

export interface ClusterView {
  readonly self: MemberInfo;
  /**
   * The member that owns a core partition (0..partitionCount-1), or METADATA_PARTITION (-1) for
   * the metadata partition; undefined while nobody does (during a rebalance).
   */
  ownerOf(partition: number): MemberInfo | undefined;
  /** Every live member, self included, in instanceId order. */
  members(): MemberInfo[];
  /** Called after every change of ownership or membership; returns the function that unsubscribes. */
  onChange(listener: () => void): () => void;
}
