// Writes applied batches to the store behind the replies. The log already made each batch
// durable (a restart replays it from the store's checkpoint), so a reply need not wait for the
// store; the store still applies batches strictly in order, at most a few behind, and readers
// wait for it (settled()) so nobody is shown state older than an answer they got.
import type { EngineLogger } from './engine-logger.ts';
import type { KvStore } from '../store/kv-store.ts';

export type KvReads = Pick<KvStore, 'get' | 'scan'>;

const STORE_WRITE_ATTEMPTS = 3;
/** Store writes that may trail the replies before the next batch waits for them. */
const MAX_STORE_WRITES_BEHIND = 4;

export interface StoreWriterDeps {
  kv: KvStore;
  logger: EngineLogger;
  /** The batch `seq` is in the store. */
  onStored: (seq: number) => void;
  /** Every attempt failed: later writes are skipped until reset() (their checkpoint would pass it). */
  onBroken: () => void;
}

export class StoreWriter {
  readonly #deps: StoreWriterDeps;
  /** Settles after the store write of every batch queued so far. */
  #tail: Promise<void> = Promise.resolve();
  #behind = 0;
  #broken = false;

  constructor(deps: StoreWriterDeps) {
    this.#deps = deps;
  }

  get broken(): boolean {
    return this.#broken;
  }

  get full(): boolean {
    return this.#behind >= MAX_STORE_WRITES_BEHIND;
  }

  /** Resolves once every queued write has landed or been skipped. Never rejects. */
  settled(): Promise<void> {
    return this.#tail;
  }

  /** Reads of `kv` that first wait for every write queued so far (they see what was answered). */
  readsAfterWrites(kv: KvReads): KvReads {
    return {
      get: async (key) => {
        await this.settled();
        return kv.get(key);
      },
      scan: async (scan) => {
        await this.settled();
        return kv.scan(scan);
      },
    };
  }

  /** After a recovery replayed what the store missed: writes land again. */
  reset(): void {
    this.#broken = false;
  }

  /** Chains the batch's write after the previous ones. */
  queue(writes: ReadonlyMap<string, Uint8Array | null>, seq: number): void {
    this.#behind++;
    this.#tail = this.#tail.then(async () => {
      try {
        await this.#write(writes, seq);
      } finally {
        this.#behind--;
      }
    });
  }

  /** Never throws: a failure marks the store broken. */
  async #write(writes: ReadonlyMap<string, Uint8Array | null>, seq: number): Promise<void> {
    if (this.#broken) return;
    let stored = writes.size === 0;
    for (let attempt = 1; !stored && attempt <= STORE_WRITE_ATTEMPTS; attempt++) {
      try {
        await this.#deps.kv.write([...writes].map(([key, value]) => ({ key, value })));
        stored = true;
      } catch (err) {
        this.#deps.logger.error({ err, attempt }, 'store write failed');
      }
    }
    if (!stored) {
      // The commands are in the log, so their (already sent) outcomes stand: recovery replays them.
      this.#broken = true;
      this.#deps.logger.error({}, 'the store cannot be written; refusing writes until it recovers');
      this.#deps.onBroken();
      return;
    }
    this.#deps.onStored(seq);
  }
}
