// The store writes engine/engine.ts chains behind the replies (#queueStoreWrite, #writeStore):
// one per logged batch, in batch order, each carrying the batch's state and apply checkpoint.
// Here they are a FIFO the simulation drains one write per step, so a crash, a read or the
// next batch can land while logged (and answered) batches are not yet in the store.
import type { EngineLogger } from '../engine/engine-logger.ts';
import type { StateCache } from '../store/state-cache.ts';
import type { SimStore } from './sim-store.ts';

/** engine.ts STORE_WRITE_ATTEMPTS. */
const STORE_WRITE_ATTEMPTS = 3;
/** engine.ts MAX_STORE_WRITES_BEHIND. */
export const MAX_STORE_WRITES_BEHIND = 4;

interface StoreWrite {
  seq: number;
  writes: Map<string, Uint8Array | null>;
}

export class SimStoreWrites {
  readonly #store: SimStore;
  readonly #cache: StateCache;
  readonly #logger: EngineLogger;
  readonly #onBroken: () => void;
  #pending: StoreWrite[] = [];
  /** engine.ts #storeBroken: after a failed write later batches must not land. */
  broken = false;

  constructor(store: SimStore, cache: StateCache, logger: EngineLogger, onBroken: () => void) {
    this.#store = store;
    this.#cache = cache;
    this.#logger = logger;
    this.#onBroken = onBroken;
  }

  /** engine.ts #storeWritesBehind. */
  get behind(): number {
    return this.#pending.length;
  }

  /** engine.ts #queueStoreWrite. */
  queue(seq: number, writes: Map<string, Uint8Array | null>): void {
    this.#pending.push({ seq, writes });
  }

  /** The oldest pending write lands (engine.ts #writeStore; never throws). */
  async writeNext(): Promise<void> {
    const w = this.#pending.shift();
    if (!w) throw new Error('writeNext() with no pending store write');
    if (this.broken) return;
    let stored = w.writes.size === 0;
    for (let attempt = 1; !stored && attempt <= STORE_WRITE_ATTEMPTS; attempt++) {
      try {
        await this.#store.write([...w.writes].map(([key, value]) => ({ key, value })));
        stored = true;
      } catch (err) {
        this.#logger.error({ err, attempt }, 'store write failed');
      }
    }
    if (!stored) {
      // The commands are in the log, so their (already sent) outcomes stand: recovery replays them.
      this.broken = true;
      this.#logger.error({}, 'the store cannot be written; refusing writes until it recovers');
      this.#onBroken();
      return;
    }
    this.#cache.markDurable(w.seq);
  }

  /** `await this.#storeTail`: every write queued so far settles (a reader waiting meanwhile). */
  async settle(): Promise<void> {
    while (this.#pending.length > 0) await this.writeNext();
  }

  /** The process dies: writes not yet made are lost (the log still holds their batches). */
  drop(): void {
    this.#pending = [];
  }
}
