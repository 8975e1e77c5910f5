// An in-memory KvStore for tests and the simulation. It copies bytes in and out so that callers
// can never change stored values by mutating a buffer, as with a real store.
import { assertScanLimit, type KvEntry, type KvScan, type KvStore, type KvWrite } from './kv-store.ts';
import { SortedKeys } from './sorted-keys.ts';

export class MemoryKv implements KvStore {
  #values = new Map<string, Uint8Array>();
  #keys = new SortedKeys();
  #closed = false;
  /** When set, the next write() fails with it (to test failure handling). */
  failNextWrite: Error | undefined;

  get size(): number {
    return this.#values.size;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    const v = this.#values.get(key);
    return v === undefined ? undefined : v.slice();
  }

  async write(batch: readonly KvWrite[]): Promise<void> {
    this.#assertOpen();
    const failure = this.failNextWrite;
    if (failure) {
      this.failNextWrite = undefined;
      throw failure;
    }
    for (const w of batch) {
      if (w.value === null) {
        if (this.#values.delete(w.key)) this.#keys.remove(w.key);
      } else {
        if (!this.#values.has(w.key)) this.#keys.insert(w.key);
        this.#values.set(w.key, w.value.slice());
      }
    }
  }

  async scan(options: KvScan): Promise<KvEntry[]> {
    this.#assertOpen();
    assertScanLimit(options.limit);
    return this.#keys.range(options.prefix, options.afterKey, options.limit).map((key) => ({
      key,
      value: this.#values.get(key)!.slice(),
    }));
  }

  /** An independent copy of the current content (a store as it was at this moment). */
  snapshot(): MemoryKv {
    const copy = new MemoryKv();
    for (const [key, value] of this.#values) {
      copy.#values.set(key, value.slice());
      copy.#keys.insert(key);
    }
    return copy;
  }

  /** Reopening after close() is allowed: the content survives, like a directory on disk. */
  reopen(): this {
    this.#closed = false;
    return this;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('MemoryKv is closed');
  }
}
