// KvStore over RocksDB (rocksdb-native). Writes are not synced individually: the command log is
// what makes a batch durable, and the store is rebuilt from it up to the checkpoint after a crash.
// A write batch is still atomic, so the checkpoint and the state it describes land together.
import { mkdir } from 'node:fs/promises';
import RocksDB from 'rocksdb-native';
import { assertScanLimit, type KvEntry, type KvScan, type KvStore, type KvWrite } from './kv-store.ts';

export class RocksKv implements KvStore {
  readonly #path: string;
  #db: RocksDB;
  #closed = false;

  private constructor(path: string, db: RocksDB) {
    this.#path = path;
    this.#db = db;
  }

  static async open(path: string): Promise<RocksKv> {
    await mkdir(path, { recursive: true });
    const db = new RocksDB(path);
    await db.ready();
    return new RocksKv(path, db);
  }

  /**
   * After a failed write RocksDB stays read-only (a "background error") until it is reopened:
   * close and reopen it. Throws while the disk still refuses; calls may be repeated.
   */
  async recover(): Promise<void> {
    this.#assertOpen();
    await this.#db.close().catch(() => undefined);
    const db = new RocksDB(this.#path);
    await db.ready();
    this.#db = db;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    const value = await this.#db.get(Buffer.from(key, 'utf8'));
    return value === null ? undefined : value;
  }

  async write(batch: readonly KvWrite[]): Promise<void> {
    this.#assertOpen();
    if (batch.length === 0) return;
    const w = this.#db.write({ capacity: batch.length });
    try {
      for (const { key, value } of batch) {
        const k = Buffer.from(key, 'utf8');
        // The try* forms: put()/delete() return a promise per operation that rejects when the
        // batch fails, and nobody awaits those (the batch's flush() reports the failure), so a
        // full disk would crash the process with an unhandled rejection.
        if (value === null) w.tryDelete(k);
        else w.tryPut(k, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
      await w.flush();
    } finally {
      w.destroy();
    }
  }

  async scan(options: KvScan): Promise<KvEntry[]> {
    this.#assertOpen();
    assertScanLimit(options.limit);
    if (options.limit === 0) return [];
    const prefix = Buffer.from(options.prefix, 'utf8');
    const after = options.afterKey === undefined ? undefined : Buffer.from(options.afterKey, 'utf8');
    const start = after !== undefined && Buffer.compare(after, prefix) >= 0 ? { gt: after } : { gte: prefix };
    const upper = prefixUpperBound(prefix);
    const range = upper === undefined ? { ...start, limit: options.limit } : { ...start, lt: upper, limit: options.limit };
    const out: KvEntry[] = [];
    for await (const { key, value } of this.#db.iterator(range)) {
      out.push({ key: key.toString('utf8'), value });
      if (out.length >= options.limit) break;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('RocksKv is closed');
  }
}

/** The smallest byte string greater than every string starting with prefix (none for 0xff...). */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const b = prefix[i]!;
    if (b < 0xff) {
      const out = Buffer.from(prefix.subarray(0, i + 1));
      out[i] = b + 1;
      return out;
    }
  }
  return undefined;
}
