// Paging through one secondary index (keys.ts "secondary indexes") over every partition that may
// hold matches: partitions in order, entries in creation-time order within each (upstream's order
// for searches over local tags). The bookmark names the partition and the last key returned.
import type { RecordCodec } from '../../processor/context.ts';
import { invalidArgument } from '../../processor/api-error.ts';
import { INDEX_TIME_DIGITS, pad } from '../../store/keys.ts';
import type { IngressDeps } from '../deps.ts';
import { FOREIGN_BOOKMARK, pageSizeOf } from '../pages.ts';
import { encodePartitionBookmark, parsePartitionBookmark, type PartitionPosition } from '../partition-bookmark.ts';

/** Index entries one call examines at most; a sparse match returns a short page and a bookmark. */
const MAX_SCANNED_PER_CALL = 50_000;
const MAX_SCAN_CHUNK = 500;

export interface IndexSearch<E, R> {
  codec: RecordCodec<E>;
  /** Partitions to visit, in order. */
  partitions: readonly number[];
  /** The index range of one partition; keys continue with {createdMs15}/{id…}. */
  prefixOf(partition: number): string;
  earliestMs?: number | undefined;
  latestMs?: number | undefined;
  /** A check the key cannot express; absent: every entry in range matches. */
  keep?(entry: E, partition: number): boolean | Promise<boolean>;
  /** The id a match contributes; undefined skips a malformed entry. */
  resultOf(entry: E): R | undefined;
}

export interface IdPage<R> {
  results: R[];
  bookmark: Buffer | undefined;
}

export async function searchIndex<E, R>(
  deps: IngressDeps,
  search: IndexSearch<E, R>,
  bookmark: Uint8Array | undefined,
  limit: number | undefined,
): Promise<IdPage<R>> {
  const pageSize = pageSizeOf(deps, limit);
  const chunk = Math.min(MAX_SCAN_CHUNK, Math.max(64, pageSize + 1));
  let position = parseBookmark(bookmark, search);
  const results: R[] = [];
  let scanned = 0;
  let lastReturned: PartitionPosition | undefined;

  while (position !== undefined && scanned < MAX_SCANNED_PER_CALL) {
    const prefix = search.prefixOf(position.partition);
    const afterKey = position.afterKey ?? startKey(prefix, search.earliestMs);
    const rows = await deps.engine.scan(search.codec, prefix, afterKey === undefined ? { limit: chunk } : { afterKey, limit: chunk });
    let partitionDone = rows.length < chunk;
    for (const row of rows) {
      scanned += 1;
      if (search.latestMs !== undefined && createdMsOfKey(row.key, prefix) > search.latestMs) {
        partitionDone = true;
        break;
      }
      if (search.keep !== undefined && !(await search.keep(row.value, position.partition))) continue;
      const result = search.resultOf(row.value);
      if (result === undefined) continue;
      // A match beyond a full page: there is more; resume after the last result returned.
      if (results.length === pageSize && lastReturned !== undefined) return { results, bookmark: encodePartitionBookmark(lastReturned) };
      results.push(result);
      lastReturned = { partition: position.partition, afterKey: row.key };
    }
    const last = rows[rows.length - 1];
    if (partitionDone || last === undefined) {
      const next = search.partitions.indexOf(position.partition) + 1;
      const nextPartition = search.partitions[next];
      position = nextPartition === undefined ? undefined : { partition: nextPartition, afterKey: undefined };
    } else {
      position = { partition: position.partition, afterKey: last.key };
    }
  }
  // Out of budget: resume exactly where the scan stopped.
  return { results, bookmark: position === undefined ? undefined : encodePartitionBookmark(position) };
}

/** Every partition of the engine, in order: the data of these searches is spread over all. */
export function allPartitions(deps: IngressDeps): number[] {
  return Array.from({ length: deps.engine.partitionCount }, (_, p) => p);
}

function startKey(prefix: string, earliestMs: number | undefined): string | undefined {
  if (earliestMs === undefined || earliestMs <= 0) return undefined;
  // Every key created at earliestMs sorts after this one (it continues with '/').
  return `${prefix}${pad(Math.floor(earliestMs), INDEX_TIME_DIGITS)}`;
}

function createdMsOfKey(key: string, prefix: string): number {
  return Number(key.slice(prefix.length, prefix.length + INDEX_TIME_DIGITS));
}

function parseBookmark<E, R>(bytes: Uint8Array | undefined, search: IndexSearch<E, R>): PartitionPosition | undefined {
  const position = parsePartitionBookmark(bytes, search.partitions);
  if (position === undefined) return undefined;
  const { partition: p, afterKey: k } = position;
  // A key from another index (or another request's filters) would resume somewhere meaningless.
  if (k !== undefined && !k.startsWith(search.prefixOf(p))) throw invalidArgument(FOREIGN_BOOKMARK);
  return position;
}
