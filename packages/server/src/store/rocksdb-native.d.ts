// The part of rocksdb-native's API that rocks-kv.ts uses (the package ships no types).
declare module 'rocksdb-native' {
  type Key = string | Buffer;
  interface WriteBatch {
    put(key: Key, value: Buffer | string): void;
    delete(key: Key): void;
    tryPut(key: Key, value: Buffer | string): void;
    tryDelete(key: Key): void;
    flush(): Promise<void>;
    destroy(): void;
  }
  interface ReadBatch {
    get(key: Key): Promise<Buffer | null>;
    flush(): Promise<void>;
    tryFlush(): void;
    destroy(): void;
  }
  interface IteratorRange {
    gt?: Key;
    gte?: Key;
    lt?: Key;
    lte?: Key;
    limit?: number;
    reverse?: boolean;
  }
  export default class RocksDB {
    constructor(path: string, options?: Record<string, unknown>);
    ready(): Promise<void>;
    write(options?: { capacity?: number; autoDestroy?: boolean }): WriteBatch;
    read(options?: { capacity?: number; autoDestroy?: boolean }): ReadBatch;
    get(key: Key): Promise<Buffer | null>;
    iterator(range: IteratorRange): AsyncIterable<{ key: Buffer; value: Buffer }>;
    close(options?: { force?: boolean }): Promise<void>;
  }
}
