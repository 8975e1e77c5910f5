// What an index over one kind of stored object declares: the index keys (and their entries) a
// version of the object has. Everything else (diffing versions, writing, deleting) is generic and
// lives in update-indexes.ts, so a kind file holds only its own layout.
import type { ProcessorContext, RecordCodec } from '../context.ts';

/** Index key → encoded entry, for one version of one object. */
export type IndexEntries = Map<string, Uint8Array>;

export interface ObjectIndex<T> {
  /** The codec the object is stored with; the index is found by its name. */
  readonly record: RecordCodec<T>;
  /** Codec name of the entries (as ingress decodes them). */
  readonly entryName: string;
  /**
   * A cheap test on something that never changes during the object's life (a NodeRun's type):
   * true when no version of it has index entries, so the caller can skip decoding its past.
   */
  neverIndexed?(value: T): boolean;
  /** The index entries of this version of the object. Pure: a function of the value and metadata. */
  entriesOf(ctx: ProcessorContext, value: T): IndexEntries;
  /**
   * Keys an earlier version may have had that this one does not, for writers that do not know
   * the earlier version (a kind whose only changing attribute is a flag lists the other setting).
   * Kinds without it must be written with their previous version (through RunRuntime.flush).
   */
  formerKeysOf?(ctx: ProcessorContext, value: T): string[];
}

/** Creation times in index keys are milliseconds; an object without one sorts first. */
export function indexTimeMs(ts: { seconds: bigint; nanos: number } | undefined): number {
  if (ts === undefined) return 0;
  const ms = Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1_000_000);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : 0;
}

export function oneEntry(key: string, bytes: Uint8Array): IndexEntries {
  return new Map([[key, bytes]]);
}
