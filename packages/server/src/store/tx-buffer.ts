// One command's transaction over the state cache. Reads see the transaction's own writes first,
// then committed state; writes stay here until commit() moves them into the cache and returns
// them for the batch's store write. abort() leaves the cache as it was.
//
// Locality: a command may read (and write into) the metadata space and its own WfRun group only,
// because those are what the engine loaded for it; anything else would make a command's result
// depend on what happened to be cached, which replay could not reproduce. Keys outside both (timers,
// scheduled tasks) may be written but not read.
import type { RecordCodec, StateTx } from '../processor/context.ts';
import { ApiError, Code } from '../processor/api-error.ts';
import { compareKeys, type KvWrite } from './kv-store.ts';
import { decodedValue, sharedDecodedValue, type Region, type StateCache } from './state-cache.ts';
import { ENGINE_KEY_PREFIX, groupPrefixOfKey, isMetadataKey } from './key-space.ts';

type PendingWrite = { kind: 'put'; codec: RecordCodec<unknown>; value: unknown; bytes?: Uint8Array } | { kind: 'delete' };

export class TxBuffer implements StateTx {
  readonly #cache: StateCache;
  readonly #group: string | undefined;
  readonly #maxRecordBytes: number;
  readonly #writes = new Map<string, PendingWrite>();
  /** Keys whose cached decoded object was handed to the handler. */
  readonly #touched = new Set<string>();
  #finished = false;

  /** `group` is the prefix of the WfRun group loaded for this command, if any. */
  constructor(cache: StateCache, group: string | undefined, maxRecordBytes: number) {
    if (group !== undefined && !cache.hasGroup(group)) throw new Error(`group ${group} was not loaded before its command`);
    this.#cache = cache;
    this.#group = group;
    this.#maxRecordBytes = maxRecordBytes;
  }

  get writeCount(): number {
    return this.#writes.size;
  }

  get<T>(codec: RecordCodec<T>, key: string): T | undefined {
    this.#assertOpen();
    const w = this.#writes.get(key);
    if (w) {
      if (w.kind === 'delete') return undefined;
      if (w.codec.name !== codec.name) throw new Error(`${key} was written as ${w.codec.name}, read as ${codec.name}`);
      return w.value as T;
    }
    const entry = this.#readableRegion(key, 'get').entries.get(key);
    if (!entry) return undefined;
    if (codec.sharedWhenRead === true && isMetadataKey(key)) return sharedDecodedValue(entry, codec);
    this.#touched.add(key);
    return decodedValue(entry, codec);
  }

  put<T>(codec: RecordCodec<T>, key: string, value: T): void {
    this.#assertOpen();
    this.#assertWritable(key);
    if (value === undefined || value === null) throw new Error(`put of an empty value at ${key}`);
    this.#writes.set(key, { kind: 'put', codec: codec as RecordCodec<unknown>, value });
  }

  putEncoded<T>(codec: RecordCodec<T>, key: string, value: T, bytes: Uint8Array): void {
    this.#assertOpen();
    this.#assertWritable(key);
    if (value === undefined || value === null) throw new Error(`put of an empty value at ${key}`);
    this.#writes.set(key, { kind: 'put', codec: codec as RecordCodec<unknown>, value, bytes });
  }

  committedBytes(key: string): Uint8Array | undefined {
    this.#assertOpen();
    if (this.#writes.has(key)) return undefined;
    return this.#readableRegion(key, 'get').entries.get(key)?.bytes;
  }

  delete(key: string): void {
    this.#assertOpen();
    this.#assertWritable(key);
    this.#writes.set(key, { kind: 'delete' });
  }

  scan<T>(codec: RecordCodec<T>, prefix: string): Array<{ key: string; value: T }> {
    this.#assertOpen();
    const region = this.#readableRegion(prefix, 'scan');
    const keys = new Set(region.keys.range(prefix, undefined, Number.MAX_SAFE_INTEGER));
    for (const k of this.#writes.keys()) if (k.startsWith(prefix)) keys.add(k);
    const out: Array<{ key: string; value: T }> = [];
    for (const key of [...keys].sort(compareKeys)) {
      const value = this.get(codec, key);
      if (value !== undefined) out.push({ key, value });
    }
    return out;
  }

  /**
   * Encodes every write, moves them into the cache and returns them for the store batch. Throws
   * ApiError(RESOURCE_EXHAUSTED) for an over-size record, before anything is changed.
   */
  commit(batchSeq: number): KvWrite[] {
    this.#assertOpen();
    const out: KvWrite[] = [];
    const encoded: Array<{ key: string; bytes: Uint8Array | null }> = [];
    for (const [key, write] of this.#writes) {
      if (write.kind === 'delete') {
        encoded.push({ key, bytes: null });
        continue;
      }
      const bytes = write.bytes ?? write.codec.encode(write.value);
      if (bytes.length > this.#maxRecordBytes) {
        throw new ApiError(
          Code.RESOURCE_EXHAUSTED,
          `${write.codec.name} record of ${bytes.length} bytes exceeds the limit of ${this.#maxRecordBytes} bytes`,
        );
      }
      encoded.push({ key, bytes });
    }
    this.#finished = true;
    for (const { key, bytes } of encoded) {
      out.push({ key, value: bytes });
      const region = this.#cache.regionOf(key);
      if (!region) continue; // write-only key (timer, scheduled task)
      // The cached object is re-decoded from the committed bytes on its next read, never the
      // handler's own object: a field that does not survive encoding (an undefined where the
      // decoder gives a default) must look the same live as after a replay.
      if (bytes === null) region.delete(key);
      else region.set(key, bytes);
      const group = groupPrefixOfKey(key);
      if (group !== undefined) this.#cache.markDirty(group, batchSeq);
    }
    // A handler may have changed an object it read without putting it back; the cache must keep
    // what was committed, not that change.
    for (const key of this.#touched) if (!this.#writes.has(key)) this.#forgetDecoded(key);
    return out;
  }

  /** Discards the writes and restores every cached object the handler was given. */
  abort(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const key of this.#touched) this.#forgetDecoded(key);
  }

  #forgetDecoded(key: string): void {
    const entry = this.#cache.regionOf(key)?.entries.get(key);
    if (entry) {
      entry.value = undefined;
      entry.codec = undefined;
    }
  }

  #readableRegion(keyOrPrefix: string, op: string): Region {
    if (isMetadataKey(keyOrPrefix)) return this.#cache.metadata;
    if (this.#group !== undefined && keyOrPrefix.startsWith(this.#group)) {
      const region = this.#cache.groupRegion(this.#group);
      if (region) return region;
    }
    throw new Error(`${op}(${keyOrPrefix}) is outside the metadata space and this command's WfRun group`);
  }

  #assertWritable(key: string): void {
    if (key.startsWith(ENGINE_KEY_PREFIX)) throw new Error(`${key} is reserved for the engine`);
    const group = groupPrefixOfKey(key);
    if (group !== undefined && group !== this.#group) {
      throw new Error(`write to ${key}, outside this command's WfRun group ${this.#group ?? '(none)'}`);
    }
  }

  #assertOpen(): void {
    if (this.#finished) throw new Error('transaction already committed or aborted');
  }
}
