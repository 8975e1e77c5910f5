// The simulated store: a MemoryKv that the engine reads and writes, and beneath it what has been
// flushed to disk. RocksDB without a synced WAL keeps every write batch atomically but may lose
// the most recent ones in a crash, so a crash keeps the flushed state plus a random prefix of the
// batches written since the last flush. An observer sees each batch with the state before it,
// which is where the simulation checks status transitions and the search index.
import { MemoryKv } from '../store/memory-kv.ts';
import type { KvEntry, KvScan, KvStore, KvWrite } from '../store/kv-store.ts';
import type { Prng } from './prng.ts';

/** Called after each write batch, with the value each write replaced and a reader of the result. */
export type WriteObserver = (
  batch: readonly KvWrite[],
  before: ReadonlyArray<Uint8Array | undefined>,
  peek: (key: string) => Uint8Array | undefined,
) => void;

/** Largest scan the simulation's store dumps page through. */
const DUMP_PAGE = 5_000;
const MAX_DUMP_PAGES = 10_000;

export class SimStore implements KvStore {
  #live = new MemoryKv();
  /** A mirror of #live for synchronous reads by the observer. */
  #liveMap = new Map<string, Uint8Array>();
  #flushed = new MemoryKv();
  #unflushed: KvWrite[][] = [];
  #open = true;
  observer: WriteObserver | undefined;
  /** Set by a fault: the next write() fails (the engine retries a failed store write). */
  failNextWrites = 0;
  /** A deliberate bug for the self-test: drop this key from every batch that writes it. */
  dropKeysMatching: ((key: string) => boolean) | undefined;

  get size(): number {
    return this.#live.size;
  }

  get unflushedBatches(): number {
    return this.#unflushed.length;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    return this.#live.get(key);
  }

  /** Synchronous read of the live content (for invariant checks). */
  peek(key: string): Uint8Array | undefined {
    return this.#liveMap.get(key);
  }

  async write(batch: readonly KvWrite[]): Promise<void> {
    this.#assertOpen();
    if (this.failNextWrites > 0) {
      this.failNextWrites--;
      throw new Error('simulated store write failure');
    }
    const kept = this.dropKeysMatching ? batch.filter((w) => !this.dropKeysMatching!(w.key)) : batch;
    const copy = kept.map((w) => ({ key: w.key, value: w.value === null ? null : w.value.slice() }));
    const before = copy.map((w) => this.#liveMap.get(w.key));
    await this.#live.write(copy);
    for (const w of copy) {
      if (w.value === null) this.#liveMap.delete(w.key);
      else this.#liveMap.set(w.key, w.value);
    }
    this.#unflushed.push(copy);
    this.observer?.(copy, before, (key) => this.#liveMap.get(key));
  }

  async scan(options: KvScan): Promise<KvEntry[]> {
    this.#assertOpen();
    return this.#live.scan(options);
  }

  /** The engine closing the store: only marks it closed (its content survives). */
  async close(): Promise<void> {
    this.#open = false;
  }

  /** RocksDB flushing its memtables: everything written so far survives a crash. */
  async flush(): Promise<void> {
    for (const batch of this.#unflushed) await this.#flushed.write(batch);
    this.#unflushed = [];
  }

  /** The process dies: the flushed state plus a random prefix of the later batches survives. */
  async crash(rng: Prng): Promise<{ lostBatches: number }> {
    const kept = rng.int(this.#unflushed.length + 1);
    for (const batch of this.#unflushed.slice(0, kept)) await this.#flushed.write(batch);
    const lostBatches = this.#unflushed.length - kept;
    this.#unflushed = [];
    this.#live = this.#flushed.snapshot();
    this.#liveMap = new Map();
    for (const row of await dump(this.#live)) this.#liveMap.set(row.key, row.value);
    this.#open = true;
    return { lostBatches };
  }

  /**
   * RocksKv.recover after a failed write: close and reopen in the same process. What was written
   * stays (memtables and WAL are in the OS); throws while the injected failure lasts.
   */
  async recover(): Promise<void> {
    this.#assertOpen();
    if (this.failNextWrites > 0) {
      this.failNextWrites--;
      throw new Error('simulated store reopen failure');
    }
  }

  /** Reopening after close() without a crash. */
  reopen(): void {
    this.#open = true;
  }

  /** Every entry of the live content, in key order. */
  async dump(): Promise<KvEntry[]> {
    return dump(this.#live);
  }

  #assertOpen(): void {
    if (!this.#open) throw new Error('SimStore is closed');
  }
}

export async function dump(kv: KvStore): Promise<KvEntry[]> {
  const out: KvEntry[] = [];
  let afterKey: string | undefined;
  for (let page = 0; page < MAX_DUMP_PAGES; page++) {
    const rows = await kv.scan({ prefix: '', afterKey, limit: DUMP_PAGE });
    out.push(...rows);
    if (rows.length < DUMP_PAGE) return out;
    afterKey = rows[rows.length - 1]!.key;
  }
  throw new Error('store too large to dump');
}
