// The simulated timer wheel, mirroring effects/timers/partition-timers.ts without Node timers:
// it knows the timers it loaded from the store at start-up and those committed since (timer
// effects), fires the due ones when the simulation says the clock has passed them, reads each
// stored command from the store, submits it, and forgets the timer once the command is answered
// (or retries it later when the engine could not take it), as the real service does.
import { StoredTimer, type Command } from '@filly/proto/internal';
import { Code } from '../processor/api-error.ts';
import { timerPrefix } from '../store/keys.ts';
import { dueMsOfTimerKey } from '../store/key-space.ts';
import { compareKeys } from '../store/kv-store.ts';
import type { Delivery, SimBugs } from './sim-types.ts';
import type { SimStore } from './sim-store.ts';

/** partition-timers.ts maxFiring default. */
const MAX_FIRING = 1_000;
const SCAN_PAGE = 1_000;
const MAX_SCAN_PAGES = 10_000;
/** partition-timers.ts KEEP_BYTES_WITHIN_MS: a timer this close keeps its committed record. */
const KEEP_BYTES_WITHIN_MS = 10_000;

export class SimTimers {
  readonly #partitionCount: number;
  readonly #store: SimStore;
  /** Reads of timer records: engine.ts makes them wait for the pending store writes. */
  readonly #kv: { get(key: string): Promise<Uint8Array | undefined> };
  readonly #nowMs: () => number;
  readonly #submit: (command: Command, deliver: (d: Delivery) => void) => void;
  readonly #bugs: SimBugs;
  /** Timers known to be stored and not yet fired, by key (due time is in the key). */
  readonly #known = new Map<string, number>();
  readonly #firing = new Set<string>();
  /** The committed record of a timer announced by its live commit (partition-timers.ts Pending.bytes). */
  readonly #bytes = new Map<string, Uint8Array>();
  #stopped = false;
  /** Timer commands submitted, by command kind (for the run's statistics). */
  readonly fired: Record<string, number> = {};

  constructor(
    partitionCount: number,
    store: SimStore,
    kv: { get(key: string): Promise<Uint8Array | undefined> },
    nowMs: () => number,
    submit: (command: Command, deliver: (d: Delivery) => void) => void,
    bugs: SimBugs,
  ) {
    this.#partitionCount = partitionCount;
    this.#store = store;
    this.#kv = kv;
    this.#nowMs = nowMs;
    this.#submit = submit;
    this.#bugs = bugs;
  }

  get knownCount(): number {
    return this.#known.size;
  }
  get firingCount(): number {
    return this.#firing.size;
  }

  /** True when the wheel would fire (or is firing) the timer stored at key. */
  holds(key: string): boolean {
    return this.#known.has(key) || this.#firing.has(key);
  }

  /** Earliest due time of a known timer not being fired. */
  nextDueMs(): number | undefined {
    let best: number | undefined;
    for (const [key, due] of this.#known) if (!this.#firing.has(key) && (best === undefined || due < best)) best = due;
    return best;
  }

  async start(): Promise<void> {
    for (let p = 0; p < this.#partitionCount; p++) {
      let afterKey: string | undefined;
      for (let page = 0; page < MAX_SCAN_PAGES; page++) {
        const rows = await this.#store.scan({ prefix: timerPrefix(p), afterKey, limit: SCAN_PAGE });
        for (const row of rows) this.#known.set(row.key, dueMsOfTimerKey(row.key));
        if (rows.length < SCAN_PAGE) break;
        afterKey = rows[rows.length - 1]!.key;
      }
    }
  }

  /** `bytes` only from the commit that created the timer (partition-timers.ts onScheduled). */
  onScheduled(partition: number, key: string, dueMs: number, bytes?: Uint8Array): void {
    if (this.#stopped) return;
    if (partition < 0 || partition >= this.#partitionCount) throw new Error(`timer for unknown partition ${partition}`);
    if (this.#firing.has(key) || this.#known.has(key)) return;
    this.#known.set(key, dueMs);
    if (bytes !== undefined && dueMs - this.#nowMs() <= KEEP_BYTES_WITHIN_MS) this.#bytes.set(key, bytes);
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Fires every known timer due by nowMs, in key (due) order; returns how many were submitted. */
  async fireDue(nowMs: number): Promise<number> {
    if (this.#stopped) return 0;
    const due = [...this.#known]
      .filter(([key, dueMs]) => dueMs <= nowMs && !this.#firing.has(key))
      .map(([key]) => key)
      .sort(compareKeys);
    let submitted = 0;
    for (const key of due) {
      if (this.#firing.size >= MAX_FIRING) break;
      // The deliberate bug forgets that the timer is being fired, so the next pass fires it again.
      if (!this.#bugs.doubleFireTimers) {
        this.#firing.add(key);
        this.#known.delete(key);
      }
      const kept = this.#bytes.get(key);
      if (!this.#bugs.doubleFireTimers) this.#bytes.delete(key);
      const bytes = kept ?? (await this.#kv.get(key));
      if (bytes === undefined) {
        this.#firing.delete(key); // removed since it was loaded
        this.#known.delete(key);
        continue;
      }
      const command = StoredTimer.decode(bytes).command;
      if (!command) throw new Error(`stored timer ${key} without a command`);
      submitted++;
      const kind = `timer.${command.body?.$case ?? 'none'}`;
      this.fired[kind] = (this.fired[kind] ?? 0) + 1;
      this.#submit(command, (d) => {
        this.#firing.delete(key);
        if (this.#stopped) return;
        const retry = !d.acked || (!d.outcome.ok && d.outcome.code === Code.RESOURCE_EXHAUSTED);
        if (retry) this.#known.set(key, dueMsOfTimerKey(key));
      });
    }
    return submitted;
  }
}
