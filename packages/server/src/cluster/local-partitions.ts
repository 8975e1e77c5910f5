// What an instance offers the other instances of a cluster about the partitions it owns: the
// internal API serves these calls, and forwards nothing itself.
import type { CommandOutcome } from '../engine/engine-api.ts';
import type { KvEntry } from '../store/kv-store.ts';

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
