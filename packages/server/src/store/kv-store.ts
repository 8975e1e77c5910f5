// The ordered key-value store under the engine. Keys are strings ordered by their UTF-8 bytes
// (what RocksDB does); values are opaque bytes. Implementations: rocks-kv.ts and memory-kv.ts.

/** One change in a write batch; a `null` value deletes the key. */
export interface KvWrite {
  key: string;
  value: Uint8Array | null;
}

export interface KvEntry {
  key: string;
  value: Uint8Array;
}

export interface KvScan {
  /** Only keys starting with this. */
  prefix: string;
  /** Start strictly after this key (must itself start with prefix, or sort before it). */
  afterKey?: string;
  /** At most this many entries (required: every scan is bounded). */
  limit: number;
}

export interface KvStore {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Applies every write atomically: after a crash either all of them are visible or none. */
  write(batch: readonly KvWrite[]): Promise<void>;
  /** Entries under `prefix` in key order. */
  scan(options: KvScan): Promise<KvEntry[]>;
  close(): Promise<void>;
  /** Optional: makes the store writable again after a failed write (RocksDB: reopen). */
  recover?(): Promise<void>;
}

/** Compares two keys in the order of their UTF-8 encodings (code point order). */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 surrogates encode code points above U+FFFF, which sort after the whole BMP in UTF-8.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export function assertScanLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`scan limit must be a non-negative integer, got ${limit}`);
}
