// How the engine gets back to accepting writes after the log or the store failed, without a
// restart. One pass per probe interval until a pass succeeds or the engine closes.
import type { EngineLogger } from './engine-logger.ts';

export type StorageFailure = { kind: 'log' | 'store'; err: unknown };

export interface RecoveryDeps {
  logger: EngineLogger;
  probeIntervalMs: number;
  closing(): boolean;
  /** Throws while the log is still not writable. */
  probeLog(): Promise<void>;
  /** True when a store write failed (possibly behind a log failure, which is the one recorded). */
  storeBroken(): boolean;
  /** Reopens the store and replays what it missed; returns the commands replayed. */
  recoverStore(): Promise<number>;
  reloadMetadata(): Promise<void>;
  /** Refuses whatever callers queued meanwhile. */
  rejectQueued(): void;
  /** Waits, unless close() wakes it first. */
  sleep(ms: number): Promise<void>;
}

/** True once recovered; false when the engine closed first. */
export async function recoverStorage(failure: StorageFailure, deps: RecoveryDeps): Promise<boolean> {
  deps.rejectQueued();
  // Bounded by close(): every pass either recovers, or sleeps and re-checks closing().
  while (!deps.closing()) {
    try {
      if (failure.kind === 'store') {
        const replayed = await deps.recoverStore();
        deps.logger.info({ replayed }, 'store writable again; replayed the commands it missed; accepting writes');
        return true;
      }
      await deps.probeLog();
      // A store write may have failed too while the log failure was pending (only the first
      // failure is recorded): then the store misses answered batches, and only a replay from its
      // checkpoint brings them back before the cache is rebuilt from it.
      if (deps.storeBroken()) {
        const replayed = await deps.recoverStore();
        deps.logger.info({ replayed }, 'store replayed the commands it missed');
      } else {
        await deps.reloadMetadata();
      }
      deps.logger.info({}, 'command log writable again; accepting writes');
      return true;
    } catch (err) {
      deps.logger.warn({ err }, failure.kind === 'store' ? 'store still not writable' : 'command log still not writable');
    }
    deps.rejectQueued();
    await deps.sleep(deps.probeIntervalMs);
  }
  return false;
}
