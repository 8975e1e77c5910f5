// The bookmark of a search that walks several partitions in turn: the partition it was in and
// the last key it returned there, as JSON. Opaque to callers; a bookmark that names a partition
// outside the search, or is not one of ours, is the caller's mistake.
import { invalidArgument } from '../processor/api-error.ts';
import { FOREIGN_BOOKMARK } from './pages.ts';

export interface PartitionPosition {
  partition: number;
  /** Undefined: from the start of the partition's range. */
  afterKey: string | undefined;
}

export function encodePartitionBookmark(position: PartitionPosition): Buffer {
  return Buffer.from(JSON.stringify({ p: position.partition, k: position.afterKey ?? null }), 'utf8');
}

/** Where to resume: the bookmark's position, or the start of the first partition (undefined: none). */
export function parsePartitionBookmark(bytes: Uint8Array | undefined, partitions: readonly number[]): PartitionPosition | undefined {
  const first = partitions[0];
  if (first === undefined) return undefined;
  if (bytes === undefined || bytes.length === 0) return { partition: first, afterKey: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const p = (parsed as { p?: unknown } | undefined)?.p;
  const k = (parsed as { k?: unknown } | undefined)?.k;
  if (typeof p !== 'number' || !partitions.includes(p) || (k !== null && typeof k !== 'string')) {
    throw invalidArgument(FOREIGN_BOOKMARK);
  }
  return { partition: p, afterKey: k ?? undefined };
}
