// What an instance offers the other instances of a cluster about the partitions it owns: the
// internal API serves these calls, and forwards nothing itself.
import { pageLimit, type CommandOutcome } from '../engine/engine-api.ts';
import { EngineUnavailableError } from '../engine/engine-errors.ts';
import type { Watchers } from '../engine/watchers.ts';
import type { KvEntry, KvStore } from '../store/kv-store.ts';
import { partitionOfStoreKey } from './changelog-records.ts';

export interface LocalPartitions {
  /** True when this instance owns the partition and has finished restoring it. */
  isServing(partition: number): boolean;
  /** Committed value of a key of a partition this instance serves. */
  get(partition: number, key: string): Promise<Uint8Array | undefined>;
  /** Committed rows under a prefix of a partition this instance serves, after afterKey, at most limit. */
  scan(partition: number, prefix: string, afterKey: string | undefined, limit: number): Promise<KvEntry[]>;
  /**
   * Resolves with the outcome of the command once this instance has committed it; a command
   * committed shortly before the call is still answered (recent outcomes are kept for a while).
   * Resolves with DEADLINE_EXCEEDED when timeoutMs passes first.
   */
  waitForCommand(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome>;
  /** Like EngineApi.watch, for a partition this instance serves. */
  watch(partition: number, topic: string, listener: (detail: string) => void): () => void;
}

export interface ServedPartitionsDeps {
  isServing(partition: number): boolean;
  kv: Pick<KvStore, 'get' | 'scan'>;
  watchers: Watchers;
  maxPageSize: number;
  waitForCommand(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome>;
}

/** LocalPartitions over this instance's store: every call first checks the partition is served here. */
export function servedPartitions(deps: ServedPartitionsDeps): LocalPartitions {
  const assertServing = (partition: number, keyOrTopic: string): void => {
    if (!deps.isServing(partition)) throw new EngineUnavailableError(`this instance does not own partition ${partition}`);
    const owner = keyOrTopic.startsWith('c/') ? partitionOfStoreKey(keyOrTopic) : partition;
    if (owner !== partition) throw new Error(`${keyOrTopic} is not in partition ${partition}`);
  };
  return {
    isServing: (p) => deps.isServing(p),
    get: async (p, key) => {
      assertServing(p, key);
      return deps.kv.get(key);
    },
    scan: async (p, prefix, afterKey, limit) => {
      assertServing(p, prefix);
      return deps.kv.scan({ prefix, afterKey, limit: pageLimit(limit, deps.maxPageSize) });
    },
    waitForCommand: (p, commandId, timeoutMs) => deps.waitForCommand(p, commandId, timeoutMs),
    watch: (p, topic, listener) => {
      assertServing(p, topic);
      return deps.watchers.add(topic, listener);
    },
  };
}
