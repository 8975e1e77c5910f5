// How a KafkaEngine is opened: the clients, topics and identity it works with, and the side of
// the cluster it forwards to. open-kafka.ts builds these from the LHS_* settings.
import type { Admin, Consumer, Producer } from '@platformatic/kafka';
import type { Limits } from '../config/limits.ts';
import type { ApplyFn } from '../engine/batch-applier.ts';
import type { CommandOutcome } from '../engine/engine-api.ts';
import type { EngineLogger } from '../engine/engine-logger.ts';
import type { EngineObserver } from '../engine/engine-observer.ts';
import type { KvEntry, KvStore } from '../store/kv-store.ts';
import type { ClusterView, MemberInfo } from './cluster-view.ts';
import type { LocalPartitions } from './local-partitions.ts';
import type { KafkaTopicNames } from './partition-batch.ts';
import type { FetchLimits } from './partition-fetcher.ts';

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
  /** Standby replicas per partition (LHS_STREAMS_NUM_STANDBY_REPLICAS); absent or 0: none. */
  standbyReplicas?: number;
  /** Builds the forwarding side once the view and the local side exist. */
  remote?: (view: ClusterView, local: LocalPartitions) => RemotePartitions;
  apply?: ApplyFn;
  nowMs?: () => number;
  /** Told about batches and fired timers (the server's metrics). */
  observer?: EngineObserver;
  /** Called after a partition starts or stops being served here (the internal API ends stale calls). */
  onServingChange?: () => void;
}
