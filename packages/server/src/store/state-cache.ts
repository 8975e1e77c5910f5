// The engine's write-through cache of committed state, read synchronously by the processor.
// All metadata (keys under 'm/') is held, loaded at open; WfRun groups are loaded one prefix scan
// at a time before a command on them runs, and kept in an LRU bounded by maxCachedWfRuns. A
// group whose writes have not reached the store yet is never evicted: reloading it from the store
// would resurrect older state.
//
// Each entry keeps the encoded bytes it was committed with and, lazily, the decoded object a
// handler works on. A transaction that fails after mutating such an object drops the decoded
// form, so the next reader decodes the committed bytes again.
import type { RecordCodec } from '../processor/context.ts';
import type { KvEntry } from './kv-store.ts';
import { deepFreeze } from './deep-freeze.ts';
import { SortedKeys } from './sorted-keys.ts';
import { groupPrefixOfKey, isMetadataKey } from './key-space.ts';

export interface CacheEntry {
  bytes: Uint8Array;
  value: unknown;
  codec: RecordCodec<unknown> | undefined;
}

export class Region {
  readonly entries = new Map<string, CacheEntry>();
  readonly keys = new SortedKeys();

  set(key: string, bytes: Uint8Array, value?: unknown, codec?: RecordCodec<unknown>): void {
    if (!this.entries.has(key)) this.keys.insert(key);
    this.entries.set(key, { bytes, value, codec });
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.keys.remove(key);
  }
}

interface Group {
  region: Region;
  /** Sequence number of the last batch that wrote this group. */
  dirtySeq: number;
}

export function decodedValue<T>(entry: CacheEntry, codec: RecordCodec<T>): T {
  if (entry.codec !== codec || entry.value === undefined) {
    entry.value = codec.decode(entry.bytes);
    entry.codec = codec as RecordCodec<unknown>;
  }
  return entry.value as T;
}

/**
 * The decoded value of a metadata entry, frozen and kept across commands: metadata (a WfSpec, a
 * TaskDef) is read by nearly every command and changed rarely, so decoding it anew each time was
 * a large share of the processor's work. Freezing makes the sharing safe (see deep-freeze.ts); a
 * handler that derives a record from metadata copies what it changes.
 */
export function sharedDecodedValue<T>(entry: CacheEntry, codec: RecordCodec<T>): T {
  if (entry.codec !== codec || entry.value === undefined) {
    entry.value = deepFreeze(codec.decode(entry.bytes));
    entry.codec = codec as RecordCodec<unknown>;
  }
  return entry.value as T;
}

export class StateCache {
  readonly maxGroups: number;
  readonly metadata = new Region();
  /** Insertion order is recency order: the first entry is the least recently used. */
  #groups = new Map<string, Group>();
  /** Batches up to this sequence number are in the store. */
  #durableSeq = 0;
  /** Batches up to this sequence number are in the log (acknowledged), maybe not yet stored. */
  #loggedSeq = 0;
  /** Sequence number of the last batch that changed metadata. */
  #metadataDirtySeq = 0;

  constructor(maxGroups: number) {
    if (!(maxGroups > 0)) throw new Error('maxCachedWfRuns must be positive');
    this.maxGroups = maxGroups;
  }

  get groupCount(): number {
    return this.#groups.size;
  }

  loadMetadata(rows: readonly KvEntry[]): void {
    for (const row of rows) {
      if (!isMetadataKey(row.key)) throw new Error(`metadata load got a non-metadata key ${row.key}`);
      this.metadata.set(row.key, row.value);
    }
  }

  hasGroup(prefix: string): boolean {
    return this.#groups.has(prefix);
  }

  /** Marks a group as just used (LRU). */
  touchGroup(prefix: string): void {
    const g = this.#groups.get(prefix);
    if (!g) return;
    this.#groups.delete(prefix);
    this.#groups.set(prefix, g);
  }

  installGroup(prefix: string, rows: readonly KvEntry[]): void {
    if (this.#groups.has(prefix)) throw new Error(`group ${prefix} is already cached`);
    const region = new Region();
    for (const row of rows) {
      if (!row.key.startsWith(prefix)) throw new Error(`row ${row.key} is outside group ${prefix}`);
      region.set(row.key, row.value);
    }
    this.#groups.set(prefix, { region, dirtySeq: 0 });
  }

  groupRegion(prefix: string): Region | undefined {
    return this.#groups.get(prefix)?.region;
  }

  /** The cached region holding key, if the key is metadata or in a cached group. */
  regionOf(key: string): Region | undefined {
    if (isMetadataKey(key)) return this.metadata;
    const prefix = groupPrefixOfKey(key);
    return prefix === undefined ? undefined : this.#groups.get(prefix)?.region;
  }

  markDirty(prefix: string, seq: number): void {
    const g = this.#groups.get(prefix);
    if (!g) throw new Error(`write to group ${prefix}, which is not cached`);
    if (seq > g.dirtySeq) g.dirtySeq = seq;
  }

  /** Every batch up to seq is now in the store. */
  markDurable(seq: number): void {
    if (seq > this.#durableSeq) this.#durableSeq = seq;
    this.markLogged(seq);
  }

  /** Every batch up to seq is now in the log: its results may be shown to readers. */
  markLogged(seq: number): void {
    if (seq > this.#loggedSeq) this.#loggedSeq = seq;
  }

  markMetadataDirty(seq: number): void {
    if (seq > this.#metadataDirtySeq) this.#metadataDirtySeq = seq;
  }

  /**
   * The committed bytes of a metadata key, for readers outside the processor: null when the key
   * does not exist, undefined when the cache holds metadata not yet in the log (ask the store).
   * Serving these reads from memory spares the store one read per request (tenant checks).
   */
  /**
   * A metadata record answered from memory, decoded: `{ value }` (value undefined: no such record)
   * when every metadata change is in the log, else undefined (read the store).
   */
  loggedMetadataRecord<T>(codec: RecordCodec<T>, key: string): { value: T | undefined } | undefined {
    const bytes = this.loggedMetadata(key);
    if (bytes === undefined) return undefined;
    return { value: bytes === null ? undefined : codec.decode(bytes) };
  }

  /**
   * A record of a cached WfRun group answered from memory, decoded anew for the caller: `{ value }`
   * (undefined: no such record) when every change to the group is in the log, else undefined
   * (ask the store). A group is loaded whole, so a key it lacks is not in the store either.
   */
  loggedGroupRecord<T>(codec: RecordCodec<T>, key: string): { value: T | undefined } | undefined {
    const prefix = groupPrefixOfKey(key);
    if (prefix === undefined) return undefined;
    const group = this.#groups.get(prefix);
    if (group === undefined || group.dirtySeq > this.#loggedSeq) return undefined;
    const bytes = group.region.entries.get(key)?.bytes;
    return { value: bytes === undefined ? undefined : codec.decode(bytes) };
  }

  loggedMetadata(key: string): Uint8Array | null | undefined {
    if (!isMetadataKey(key)) throw new Error(`${key} is not a metadata key`);
    if (this.#metadataDirtySeq > this.#loggedSeq) return undefined;
    return this.metadata.entries.get(key)?.bytes ?? null;
  }

  /**
   * Evicts least recently used clean groups until the bound holds or only dirty/pinned groups
   * remain. Returns how many were evicted.
   */
  evict(pinned?: ReadonlySet<string>): number {
    let excess = this.#groups.size - this.maxGroups;
    if (excess <= 0) return 0;
    let evicted = 0;
    const candidates: string[] = [];
    for (const [prefix, g] of this.#groups) {
      if (candidates.length >= excess) break;
      if (g.dirtySeq > this.#durableSeq || pinned?.has(prefix)) continue;
      candidates.push(prefix);
    }
    for (const prefix of candidates) {
      this.#groups.delete(prefix);
      evicted++;
      excess--;
    }
    return evicted;
  }

  /** Forgets every cached group whose prefix starts with `prefix` (a partition another instance now owns). */
  dropGroups(prefix: string): void {
    for (const key of [...this.#groups.keys()]) if (key.startsWith(prefix)) this.#groups.delete(key);
  }

  clearMetadata(): void {
    this.metadata.entries.clear();
    this.metadata.keys.clear();
  }

  clear(): void {
    // Reloaded from the store next: what the cache holds then is exactly what is stored.
    this.#metadataDirtySeq = 0;
    this.metadata.entries.clear();
    this.metadata.keys.clear();
    this.#groups.clear();
  }
}
