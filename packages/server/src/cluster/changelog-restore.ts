// Brings the local store up to the committed end of one changelog partition. Restoring starts
// after the local checkpoint, so a restart replays only the tail; when the changelog no longer
// holds the records after the checkpoint (compaction or retention removed them), the partition's
// local keys are wiped first and the changelog is read from its start. A standby follows a
// changelog partition with the same pieces (changelogStartPoint, applyChangelogRecords), so a
// takeover after it restores only what the standby had not read yet.
import type { KvStore, KvWrite } from '../store/kv-store.ts';
import type { EngineLogger } from '../engine/engine-logger.ts';
import { partitionPart } from '../store/keys.ts';
import { changelogCheckpointKey, decodeOffset, encodeOffset, inputPositionKey, ORIGIN_HEADER } from './changelog-records.ts';
import type { FetchedRecord, PartitionFetcher } from './partition-fetcher.ts';

export interface RestoreTarget {
  topic: string;
  partition: number;
  /** Local key holding the last applied changelog offset. */
  checkpointKey: string;
  /** Local key prefixes that belong to this changelog partition (wiped when the checkpoint is unusable). */
  ownedPrefixes: readonly string[];
}

/** What restoring and following need of a positioned reader (PartitionFetcher; fakes in tests). */
export type ChangelogReader = Pick<PartitionFetcher, 'seek' | 'forget' | 'position' | 'fetch' | 'startOffset' | 'endOffset'>;

export interface RestoreResult {
  records: number;
  fromOffset: bigint;
  endOffset: bigint;
  wiped: boolean;
}

/** The changelog partition that holds a core partition's keys, and the local keys it covers. */
export function coreChangelogTarget(topic: string, partition: number): RestoreTarget {
  return {
    topic,
    partition,
    checkpointKey: changelogCheckpointKey(partition),
    ownedPrefixes: [`c/${partitionPart(partition)}/`, inputPositionKey(partition)],
  };
}

/** Pages of a wipe; a partition holding more keys takes more pages, each bounded. */
const WIPE_PAGE = 10_000;

export async function restoreChangelog(fetcher: ChangelogReader, kv: KvStore, target: RestoreTarget, logger: EngineLogger, isCancelled: () => boolean): Promise<RestoreResult> {
  const { topic, partition } = target;
  const { from, wiped } = await changelogStartPoint(fetcher, kv, target, logger);
  const end = await fetcher.endOffset(topic, partition);
  let records = 0;
  fetcher.seek(topic, partition, from);
  try {
    // Each pass moves the position forward or the fetch waits; cancellation ends it early.
    while ((fetcher.position(topic, partition) ?? end) < end) {
      if (isCancelled()) throw new Error(`restore of ${topic}[${partition}] cancelled`);
      const batch = await fetcher.fetch();
      if (batch.length === 0) continue;
      await applyChangelogRecords(kv, batch, target.checkpointKey, undefined);
      records += batch.length;
    }
  } finally {
    fetcher.forget(topic, partition);
  }
  return { records, fromOffset: from, endOffset: end, wiped };
}

/**
 * Where reading a changelog partition into the local store starts: just after the local
 * checkpoint, or, when the changelog no longer holds the records after it (or there is none), at
 * the changelog's first record after wiping the partition's local keys.
 */
export async function changelogStartPoint(fetcher: ChangelogReader, kv: KvStore, target: RestoreTarget, logger: EngineLogger): Promise<{ from: bigint; wiped: boolean }> {
  const { topic, partition } = target;
  const checkpoint = decodeOffset(await kv.get(target.checkpointKey));
  const from = checkpoint === undefined ? 0n : checkpoint + 1n;
  const start = await fetcher.startOffset(topic, partition);
  if (from >= start) return { from, wiped: false };
  if (checkpoint !== undefined) {
    logger.warn({ topic, partition, checkpoint: checkpoint.toString(), start: start.toString() }, 'changelog no longer holds the records after the local checkpoint; rebuilding the partition from the changelog');
  }
  for (const prefix of target.ownedPrefixes) await wipePrefix(kv, prefix);
  return { from: start, wiped: true };
}

/**
 * Writes changelog records to the local store with the checkpoint, in one atomic batch. Records
 * produced by `skipOrigin` (this process, which already wrote them) only move the checkpoint.
 * Returns the writes made (for caches that mirror the store).
 */
export async function applyChangelogRecords(kv: KvStore, records: readonly FetchedRecord[], checkpointKey: string, skipOrigin: string | undefined): Promise<KvWrite[]> {
  const writes: KvWrite[] = [];
  let last: bigint | undefined;
  for (const record of records) {
    last = record.offset;
    if (record.key === null) continue;
    if (skipOrigin !== undefined && record.headers.get(ORIGIN_HEADER)?.toString('utf8') === skipOrigin) continue;
    writes.push({ key: record.key.toString('utf8'), value: record.value === null ? null : new Uint8Array(record.value) });
  }
  if (last === undefined) return writes;
  await kv.write([...writes, { key: checkpointKey, value: encodeOffset(last) }]);
  return writes;
}

async function wipePrefix(kv: KvStore, prefix: string): Promise<void> {
  // Bounded by the number of keys under the prefix: every page deletes what it read.
  for (;;) {
    const rows = await kv.scan({ prefix, limit: WIPE_PAGE });
    if (rows.length === 0) return;
    await kv.write(rows.map((r) => ({ key: r.key, value: null })));
  }
}
