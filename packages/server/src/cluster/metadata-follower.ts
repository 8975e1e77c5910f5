// Metadata is a global store: every instance follows the metadata changelog into its local store
// and its in-memory metadata cache, so metadata reads are local everywhere. Records this process
// produced itself are already applied (by the owner's commit) and only move the checkpoint.
import type { Consumer } from '@platformatic/kafka';
import type { EngineLogger } from '../engine/engine-logger.ts';
import { readMetadata } from '../engine/startup-loads.ts';
import type { KvStore } from '../store/kv-store.ts';
import type { StateCache } from '../store/state-cache.ts';
import { METADATA_PARTITION } from '../commands/routing.ts';
import { decodeOffset, inputPositionKey, METADATA_CHECKPOINT_KEY } from './changelog-records.ts';
import { applyChangelogRecords, restoreChangelog } from './changelog-restore.ts';
import { sleep } from './kafka-calls.ts';
import { PartitionFetcher, type FetchedRecord, type FetchLimits } from './partition-fetcher.ts';

const RETRY_PAUSE_MS = 200;
const POSITION_POLL_MS = 5;

export interface MetadataFollowerDeps {
  consumer: Consumer;
  fetch: FetchLimits;
  kv: KvStore;
  cache: StateCache;
  /** The metadata changelog topic (one partition). */
  topic: string;
  runId: string;
  logger: EngineLogger;
  closing: () => boolean;
}

export class MetadataFollower {
  readonly #deps: MetadataFollowerDeps;
  readonly #fetcher: PartitionFetcher;

  constructor(deps: MetadataFollowerDeps) {
    this.#deps = deps;
    this.#fetcher = new PartitionFetcher(deps.consumer, deps.fetch);
  }

  /** Brings the local store and the cache up to the changelog's committed end (before serving). */
  async catchUp(): Promise<void> {
    const d = this.#deps;
    const restored = await restoreChangelog(this.#fetcher, d.kv, {
      topic: d.topic,
      partition: 0,
      checkpointKey: METADATA_CHECKPOINT_KEY,
      ownedPrefixes: ['m/', inputPositionKey(METADATA_PARTITION)],
    }, d.logger, d.closing);
    const rows = await readMetadata(d.kv);
    d.cache.clearMetadata();
    d.cache.loadMetadata(rows);
    d.logger.info({ records: restored.records, wiped: restored.wiped }, 'metadata restored from its changelog');
    const checkpoint = decodeOffset(await d.kv.get(METADATA_CHECKPOINT_KEY));
    this.#fetcher.seek(d.topic, 0, checkpoint === undefined ? restored.fromOffset : checkpoint + 1n);
  }

  /** Follows the changelog until the engine closes. */
  async run(): Promise<void> {
    const d = this.#deps;
    while (!d.closing()) {
      let records: FetchedRecord[];
      try {
        records = await this.#fetcher.fetch();
      } catch (err) {
        d.logger.error({ err }, 'following the metadata changelog failed');
        await sleep(RETRY_PAUSE_MS);
        continue;
      }
      if (records.length === 0) continue;
      const writes = await applyChangelogRecords(d.kv, records, METADATA_CHECKPOINT_KEY, d.runId);
      for (const w of writes) {
        if (!w.key.startsWith('m/')) continue;
        if (w.value === null) d.cache.metadata.delete(w.key);
        else d.cache.metadata.set(w.key, w.value);
      }
    }
  }

  /** Waits until everything committed to the changelog so far has been followed; false on timeout. */
  async reachEnd(timeoutMs: number): Promise<boolean> {
    const topic = this.#deps.topic;
    const end = await this.#fetcher.endOffset(topic, 0);
    const deadline = Date.now() + timeoutMs;
    // Bounded by the deadline.
    while ((this.#fetcher.position(topic, 0) ?? 0n) < end) {
      if (Date.now() > deadline) return false;
      await sleep(POSITION_POLL_MS);
    }
    return true;
  }
}
