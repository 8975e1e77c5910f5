// The consistency check behind `filly-server --verify`: reads every record of the command log
// (checking every checksum of every segment), replays the log up to the store's checkpoint into a
// fresh in-memory store through the same apply path the engine uses, and compares that with the
// live store key by key. Run it on a stopped server: the store is opened for this check only.
import { join } from 'node:path';
import type { Limits } from '../config/limits.ts';
import { SegmentLog } from '../log/segment-log.ts';
import { APPLY_CHECKPOINT_KEY } from '../store/keys.ts';
import { compareKeys, type KvEntry, type KvStore } from '../store/kv-store.ts';
import { MemoryKv } from '../store/memory-kv.ts';
import { RocksKv } from '../store/rocks-kv.ts';
import { StateCache } from '../store/state-cache.ts';
import { BatchApplier, type ApplyFn } from './batch-applier.ts';
import type { EngineLogger } from './engine-logger.ts';
import { replayLog } from './replay.ts';
import { decodeCheckpoint } from './startup-loads.ts';

const COMPARE_PAGE = 1_000;
/** Mismatches listed in the report; the count covers all of them. */
const MAX_LISTED_MISMATCHES = 20;
/** Bound on the merge loop: pages of either store. */
const MAX_COMPARE_PAGES = 10_000_000;

export interface VerifyOptions {
  dataDir: string;
  partitionCount: number;
  limits: Limits;
  logger: EngineLogger;
  /** The processor; defaults to processor/apply.ts applyCommand. */
  apply?: ApplyFn;
  /** The live store; defaults to RocksDB in dataDir/store (opened and closed here). */
  kv?: KvStore;
}

export interface KeyMismatch {
  key: string;
  problem: 'only-in-store' | 'only-in-replay' | 'different-value';
}

export interface VerifyReport {
  /** True when the log reads cleanly and the store equals the replay. */
  ok: boolean;
  logRecords: number;
  /** A torn final write still in the log (the server cuts it at its next start). */
  tornTail?: { path: string; position: number; reason: string };
  /** Last log offset the store has applied; -1 for an empty store. */
  checkpointOffset: number;
  /** Records after the checkpoint: the next start replays them. */
  unappliedRecords: number;
  storeKeys: number;
  mismatchCount: number;
  mismatches: KeyMismatch[];
  /** Why the check could not be completed (damaged log or checkpoint). */
  problem?: string;
}

export async function verifyDataDir(options: VerifyOptions): Promise<VerifyReport> {
  const apply = options.apply ?? (await import('../processor/apply.ts')).applyCommand;
  const { log, report } = await SegmentLog.open(join(options.dataDir, 'log'), {
    maxRecordBytes: options.limits.maxRecordBytes,
    readOnly: true,
  });
  const kv = options.kv ?? (await RocksKv.open(join(options.dataDir, 'store')));
  try {
    const out: VerifyReport = {
      ok: false,
      logRecords: log.nextOffset - log.firstOffset,
      checkpointOffset: -1,
      unappliedRecords: 0,
      storeKeys: 0,
      mismatchCount: 0,
      mismatches: [],
    };
    if (report.truncated) out.tornTail = { path: report.truncated.path, position: report.truncated.position, reason: report.truncated.reason };
    try {
      // Reads every record of every segment: any checksum failure throws LogCorruptError.
      let seen = 0;
      for await (const _record of log.read(log.firstOffset)) seen++;
      if (seen !== out.logRecords) throw new Error(`read ${seen} log records, expected ${out.logRecords}`);
      const bytes = await kv.get(APPLY_CHECKPOINT_KEY);
      out.checkpointOffset = bytes === undefined ? -1 : Number(decodeCheckpoint(bytes).appliedOffset);
    } catch (err) {
      out.problem = err instanceof Error ? err.message : String(err);
      return out;
    }
    if (out.checkpointOffset >= log.nextOffset) {
      out.problem = `the store has applied offset ${out.checkpointOffset} but the log ends before ${log.nextOffset}`;
      return out;
    }
    if (out.checkpointOffset >= 0 && log.firstOffset > 0) {
      out.problem = `the log starts at offset ${log.firstOffset}; a replay from the start is not possible`;
      return out;
    }
    out.unappliedRecords = log.nextOffset - 1 - out.checkpointOffset;
    const replayed = new MemoryKv();
    if (out.checkpointOffset >= 0) {
      const cache = new StateCache(options.limits.maxCachedWfRuns);
      const applier = new BatchApplier(cache, replayed, apply, options.limits, options.logger, options.partitionCount);
      let seq = 0;
      await replayLog({
        log,
        from: 0,
        to: out.checkpointOffset,
        applier,
        cache,
        kv: replayed,
        maxCommandsPerBatch: options.limits.maxCommandsPerBatch,
        nextBatchSeq: () => ++seq,
      });
    }
    await compareStores(kv, replayed, out);
    out.ok = out.mismatchCount === 0;
    return out;
  } finally {
    await log.close();
    if (!options.kv) await kv.close();
  }
}

/** Merges the two stores in key order and records every difference. */
async function compareStores(live: KvStore, replayed: KvStore, out: VerifyReport): Promise<void> {
  const a = new PagedScan(live);
  const b = new PagedScan(replayed);
  const note = (key: string, problem: KeyMismatch['problem']): void => {
    out.mismatchCount++;
    if (out.mismatches.length < MAX_LISTED_MISMATCHES) out.mismatches.push({ key, problem });
  };
  for (let step = 0; ; step++) {
    if (step > MAX_COMPARE_PAGES * COMPARE_PAGE) throw new Error('store comparison did not end');
    const x = await a.peek();
    const y = await b.peek();
    if (x === undefined && y === undefined) return;
    const order = x === undefined ? 1 : y === undefined ? -1 : compareKeys(x.key, y.key);
    if (order < 0) {
      note(x!.key, 'only-in-store');
      out.storeKeys++;
      a.next();
    } else if (order > 0) {
      note(y!.key, 'only-in-replay');
      b.next();
    } else {
      if (!Buffer.from(x!.value).equals(Buffer.from(y!.value))) note(x!.key, 'different-value');
      out.storeKeys++;
      a.next();
      b.next();
    }
  }
}

class PagedScan {
  readonly #kv: KvStore;
  #rows: KvEntry[] = [];
  #index = 0;
  #afterKey: string | undefined;
  #done = false;

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  async peek(): Promise<KvEntry | undefined> {
    if (this.#index < this.#rows.length) return this.#rows[this.#index];
    if (this.#done) return undefined;
    this.#rows = await this.#kv.scan({ prefix: '', afterKey: this.#afterKey, limit: COMPARE_PAGE });
    this.#index = 0;
    if (this.#rows.length < COMPARE_PAGE) this.#done = true;
    const last = this.#rows[this.#rows.length - 1];
    if (last) this.#afterKey = last.key;
    return this.#rows[0];
  }

  next(): void {
    this.#index++;
  }
}
