// The timers of one partition. Stored timer keys sort by due time, so the store is the queue;
// memory holds at most a window of the earliest ones (a min-heap) and refills from the store
// when that window drains. One Node timer is armed for the earliest due time.
//
// Invariant: every stored timer with a key <= #boundary is in the heap, being fired, or already
// fired; timers after the boundary are only in the store, unless #complete says the store has
// nothing beyond what was loaded.
import { StoredTimer, type Command } from '@filly/proto/internal';
import { Code } from '../../processor/api-error.ts';
import type { CommandOutcome } from '../../engine/engine-api.ts';
import type { EngineLogger } from '../../engine/engine-logger.ts';
import { timerPrefix } from '../../store/keys.ts';
import { compareKeys, type KvStore } from '../../store/kv-store.ts';
import { dueMsOfTimerKey } from '../../store/key-space.ts';
import { MinHeap } from './min-heap.ts';

/** setTimeout's largest delay; longer waits simply re-arm. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Refill rounds before giving up on a store that keeps changing under us (then try again later). */
const MAX_REFILL_ROUNDS = 4;

export interface TimerDeps {
  /** Reads only; a read must see every batch whose effects were announced (onScheduled). */
  kv: Pick<KvStore, 'get' | 'scan'>;
  submit: (command: Command) => Promise<CommandOutcome>;
  nowMs: () => number;
  logger: EngineLogger;
  /** Timers held in memory per partition (the heap may reach twice this before trimming). */
  maxLoaded: number;
  /** Fired timers whose command has not been answered yet. */
  maxFiring: number;
  /** Wait before re-firing a timer whose command the engine could not take. */
  retryDelayMs: number;
}

interface Pending {
  key: string;
  dueMs: number;
  /** The stored record, when the commit that wrote it handed it over (spares a store read). */
  bytes?: Uint8Array;
}

/** Timers due within this long keep their record in memory; later ones are read when they fire. */
const KEEP_BYTES_WITHIN_MS = 10_000;

export class PartitionTimers {
  readonly partition: number;
  readonly #deps: TimerDeps;
  readonly #heap = new MinHeap<Pending>((a, b) => compareKeys(a.key, b.key) < 0);
  readonly #inHeap = new Set<string>();
  /** Keys still in the heap whose record was deleted: skipped when they come up (lazy removal). */
  readonly #cancelled = new Set<string>();
  readonly #firing = new Set<string>();
  readonly #retries = new Set<NodeJS.Timeout>();
  #boundary: string | undefined;
  #complete = false;
  #refilling: Promise<void> | undefined;
  #arrived: Pending[] = [];
  #arrivalsOverflowed = false;
  #timer: NodeJS.Timeout | undefined;
  #armedForMs: number | undefined;
  #stopped = false;
  /** Largest heap size seen (to check the memory bound in tests). */
  peakLoaded = 0;

  constructor(partition: number, deps: TimerDeps) {
    if (!(deps.maxLoaded > 0) || !(deps.maxFiring > 0)) throw new Error('timer bounds must be positive');
    this.partition = partition;
    this.#deps = deps;
  }

  get loadedCount(): number {
    return this.#heap.size;
  }

  get firingCount(): number {
    return this.#firing.size;
  }

  async start(): Promise<void> {
    await this.#refill();
    this.#arm();
  }

  /**
   * A timer record was committed at key. `bytes` is the record as committed: pass it only from
   * the commit that created the timer (never from a replay, which may announce a timer that a
   * later replayed command already fired and deleted).
   */
  onScheduled(key: string, dueMs: number, bytes?: Uint8Array): void {
    if (this.#stopped) return;
    const p: Pending = bytes !== undefined && dueMs - this.#deps.nowMs() <= KEEP_BYTES_WITHIN_MS ? { key, dueMs, bytes } : { key, dueMs };
    if (this.#refilling) {
      if (this.#arrived.length < this.#deps.maxLoaded) this.#arrived.push(p);
      else this.#arrivalsOverflowed = true;
      return;
    }
    this.#insert(p);
    this.#arm();
  }

  /**
   * Fires what is due now without waiting for the Node timer: a busy event loop runs timer
   * callbacks late, so the engine calls this just before it takes a batch.
   */
  fireDueNow(nowMs: number): void {
    const top = this.#heap.peek();
    if (top !== undefined && top.dueMs <= nowMs) this.#fireDue();
  }

  /** The timer's record was deleted by a commit: it must not fire. */
  onCancelled(key: string): void {
    if (this.#inHeap.delete(key)) this.#cancelled.add(key);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const t of this.#retries) clearTimeout(t);
    this.#retries.clear();
  }

  #insert(p: Pending): void {
    if (this.#inHeap.has(p.key) || this.#firing.has(p.key)) return;
    // Beyond the loaded window the store already holds it; a refill will bring it in order.
    if (!this.#complete && (this.#boundary === undefined || compareKeys(p.key, this.#boundary) > 0)) return;
    this.#heap.push(p);
    this.#inHeap.add(p.key);
    if (this.#heap.size > this.peakLoaded) this.peakLoaded = this.#heap.size;
    if (this.#heap.size > 2 * this.#deps.maxLoaded) this.#trim();
  }

  /** Keeps the earliest maxLoaded timers; the rest stay in the store only. */
  #trim(): void {
    const all = this.#heap
      .drain()
      .filter((p) => !this.#cancelled.delete(p.key))
      .sort((a, b) => compareKeys(a.key, b.key));
    const keep = all.slice(0, this.#deps.maxLoaded);
    for (const p of all.slice(this.#deps.maxLoaded)) this.#inHeap.delete(p.key);
    for (const p of keep) this.#heap.push(p);
    this.#boundary = keep[keep.length - 1]?.key;
    this.#complete = false;
  }

  #arm(): void {
    if (this.#stopped) return;
    const top = this.#heap.peek();
    if (!top) {
      this.#disarm();
      if (!this.#complete && !this.#refilling) {
        this.#refill().then(
          () => this.#arm(),
          (err: unknown) => this.#refillFailed(err),
        );
      }
      return;
    }
    const delayMs = top.dueMs - this.#deps.nowMs();
    if (delayMs <= 0 && this.#firing.size >= this.#deps.maxFiring) return; // a finishing fire re-arms
    if (this.#timer && this.#armedForMs !== undefined && this.#armedForMs <= top.dueMs) return;
    this.#disarm();
    this.#armedForMs = top.dueMs;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#armedForMs = undefined;
      this.#fireDue();
    }, Math.min(Math.max(delayMs, 0), MAX_TIMEOUT_MS));
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedForMs = undefined;
  }

  #fireDue(): void {
    if (this.#stopped) return;
    const now = this.#deps.nowMs();
    while (this.#firing.size < this.#deps.maxFiring) {
      const top = this.#heap.peek();
      if (!top || top.dueMs > now) break;
      this.#heap.pop();
      if (this.#cancelled.delete(top.key)) continue;
      this.#inHeap.delete(top.key);
      this.#firing.add(top.key);
      void this.#fire(top);
    }
    this.#arm();
  }

  async #fire(p: Pending): Promise<void> {
    let retry = false;
    try {
      const bytes = p.bytes ?? (await this.#deps.kv.get(p.key));
      if (bytes === undefined) return; // removed since it was loaded
      const command = StoredTimer.decode(bytes).command;
      if (!command) {
        this.#deps.logger.error({ key: p.key }, 'stored timer without a command; it cannot fire');
        return;
      }
      const outcome = await this.#deps.submit(command);
      if (!outcome.ok && outcome.code === Code.RESOURCE_EXHAUSTED) retry = true;
    } catch (err) {
      retry = true;
      this.#deps.logger.warn({ err, key: p.key }, 'timer could not fire; retrying');
    } finally {
      this.#firing.delete(p.key);
      if (retry && !this.#stopped) this.#retryLater(p);
      this.#arm();
    }
  }

  #retryLater(p: Pending): void {
    const handle = setTimeout(() => {
      this.#retries.delete(handle);
      this.onScheduled(p.key, p.dueMs);
    }, this.#deps.retryDelayMs);
    handle.unref();
    this.#retries.add(handle);
  }

  #refill(): Promise<void> {
    this.#refilling ??= this.#doRefill().finally(() => {
      this.#refilling = undefined;
    });
    return this.#refilling;
  }

  async #doRefill(): Promise<void> {
    const prefix = timerPrefix(this.partition);
    for (let round = 0; round < MAX_REFILL_ROUNDS; round++) {
      const rows = await this.#deps.kv.scan({ prefix, afterKey: this.#boundary, limit: this.#deps.maxLoaded });
      if (this.#stopped) return;
      const lastKey = rows[rows.length - 1]?.key;
      if (lastKey !== undefined) this.#boundary = lastKey;
      this.#complete = rows.length < this.#deps.maxLoaded;
      for (const row of rows) this.#insert({ key: row.key, dueMs: dueMsOfTimerKey(row.key) });
      const arrived = this.#arrived;
      this.#arrived = [];
      if (!this.#arrivalsOverflowed) {
        for (const p of arrived) this.#insert(p);
        return;
      }
      // Too many timers arrived while scanning to know which the scan saw: start over.
      this.#arrivalsOverflowed = false;
      this.#heap.drain();
      this.#inHeap.clear();
      this.#cancelled.clear();
      this.#boundary = undefined;
      this.#complete = false;
    }
    throw new Error(`timers of partition ${this.partition} kept changing during ${MAX_REFILL_ROUNDS} refills`);
  }

  #refillFailed(err: unknown): void {
    this.#deps.logger.error({ err, partition: this.partition }, 'loading timers failed; retrying');
    if (this.#stopped) return;
    const handle = setTimeout(() => {
      this.#retries.delete(handle);
      this.#arm();
    }, this.#deps.retryDelayMs);
    handle.unref();
    this.#retries.add(handle);
  }
}
