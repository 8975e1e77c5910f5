// How an Engine is opened. Everything beyond dataDir/partitionCount/limits has a default and
// exists for tests and the simulation.
import type { Limits } from '../config/limits.ts';
import type { KvStore } from '../store/kv-store.ts';
import type { TaskQueueBounds } from '../effects/task-queues/task-queue.ts';
import type { ApplyFn } from './batch-applier.ts';
import type { EngineLogger } from './engine-logger.ts';
import type { LogFaults } from '../log/segment-log.ts';
import type { StoreVerification } from './store-integrity.ts';
import type { EngineObserver } from './engine-observer.ts';

export interface EngineOptions {
  dataDir: string;
  partitionCount: number;
  limits: Limits;
  logger?: EngineLogger;
  /** The processor; defaults to processor/apply.ts applyCommand. */
  apply?: ApplyFn;
  /** The store; defaults to RocksDB in dataDir/store. The engine closes it on close(). */
  kv?: KvStore;
  /** Command log segment size (default 64 MiB). */
  segmentBytes?: number;
  /** Wall clock for firing timers (default Date.now). */
  nowMs?: () => number;
  timers?: { maxLoaded?: number; maxFiring?: number; retryDelayMs?: number };
  taskQueues?: Partial<TaskQueueBounds>;
  /** Wait between attempts to write to the log again after a failed append. */
  probeIntervalMs?: number;
  /** Test-only: slow or failing log writes and syncs. */
  logFaults?: LogFaults;
  /**
   * How much of the store is checked at open: 'full' reads every block (RocksDB verifies its
   * checksums) and the checkpoint; 'checkpoint' only the checkpoint. Default 'full'.
   */
  verifyStoreOnOpen?: StoreVerification;
  /** Told about batches and fired timers (metrics); default: nobody. */
  observer?: EngineObserver;
}
