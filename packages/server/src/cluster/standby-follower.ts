// Standby replicas (LHS_STREAMS_NUM_STANDBY_REPLICAS): this instance keeps copies of partitions
// it does not own by following their core changelog into its local store, advancing the same
// local checkpoint a restore advances. When the group later makes it the owner of one of them,
// the ordinary restore starts after that checkpoint and reads only the tail. Nothing relies on the
// copy being current: the restore still reads to the changelog's committed end before serving.
//
// One loop reads every followed partition in bounded fetches and writes each partition's records
// with its checkpoint in one atomic batch. The owner's work never waits for it: a takeover only
// waits for the one batch being written (handOver), never for the standby to catch up.
import type { Consumer } from '@platformatic/kafka';
import type { EngineLogger } from '../engine/engine-logger.ts';
import type { KvStore } from '../store/kv-store.ts';
import { changelogCheckpointKey } from './changelog-records.ts';
import { applyChangelogRecords, changelogStartPoint, coreChangelogTarget, type ChangelogReader } from './changelog-restore.ts';
import { sleep } from './kafka-calls.ts';
import type { KafkaEngineOptions } from './kafka-engine-options.ts';
import { PartitionFetcher, type FetchedRecord } from './partition-fetcher.ts';

const IDLE_WAIT_MS = 100;
const RETRY_PAUSE_MS = 500;
const DEFAULT_LAG_PROBE_INTERVAL_MS = 1_000;
/** A standby reads in smaller bites than an owner, so its writes never crowd an owner's out. */
const STANDBY_FETCH = { maxWaitMs: 200, maxBytesPerPartition: 1024 * 1024, maxBytes: 4 * 1024 * 1024 };

/** The follower of a kafka engine with its own consumer; undefined when no standbys are configured. */
export function openStandbyFollower(o: KafkaEngineOptions, closing: () => boolean, mayFollow: (partition: number) => boolean): [Consumer, StandbyFollower] | undefined {
  if ((o.standbyReplicas ?? 0) <= 0) return undefined;
  const consumer = o.clients.consumer(`${o.clusterId}-reader`);
  const reader = new PartitionFetcher(consumer, {
    maxWaitMs: STANDBY_FETCH.maxWaitMs,
    maxBytesPerPartition: Math.min(o.fetch.maxBytesPerPartition, STANDBY_FETCH.maxBytesPerPartition),
    maxBytes: Math.min(o.fetch.maxBytes, STANDBY_FETCH.maxBytes),
  });
  return [consumer, new StandbyFollower({ reader, kv: o.kv, topic: o.topics.coreChangelog, logger: o.logger, closing, mayFollow })];
}

export interface StandbyFollowerDeps {
  /** A reader of its own: its positions are the standby positions. */
  reader: ChangelogReader;
  kv: KvStore;
  /** The core changelog topic. */
  topic: string;
  logger: EngineLogger;
  closing: () => boolean;
  /**
   * False while this instance owns the partition or is still restoring it: the owner's writes
   * and a standby's must never interleave on the same keys.
   */
  mayFollow: (partition: number) => boolean;
  /** How often the changelog's end offsets are read for the lag figures. */
  lagProbeIntervalMs?: number;
  nowMs?: () => number;
}

/** One followed partition as /status shows it; offsets are numbers for JSON. */
export interface StandbyStatus {
  partition: number;
  state: 'waiting' | 'following';
  /** Last changelog offset applied to the local store (the local checkpoint), if any. */
  appliedOffset: number | null;
  /** The next offset the standby reads. */
  position: number | null;
  /** The changelog's committed end at the last probe (about once a second). */
  changelogEndOffset: number | null;
  /** How far the position was behind that end at that probe (transaction markers count too). */
  lag: number | null;
  /** Changelog records written to the local store since this instance began following it. */
  recordsApplied: number;
}

interface Followed {
  partition: number;
  state: 'waiting' | 'following';
  checkpoint: bigint | undefined;
  end: bigint | undefined;
  lag: bigint | undefined;
  records: number;
  caughtUp: boolean;
  /** After a failed start, the next attempt waits until then. */
  retryAtMs: number;
}

export class StandbyFollower {
  readonly #d: StandbyFollowerDeps;
  readonly #followed = new Map<number, Followed>();
  /** The store work in progress (starting partitions or writing a fetched batch). */
  #busy: Promise<void> = Promise.resolve();
  #lastProbeMs = Number.NEGATIVE_INFINITY;

  constructor(deps: StandbyFollowerDeps) {
    this.#d = deps;
  }

  /** Follows exactly these partitions from now on (the group's latest standby assignment). */
  follow(partitions: ReadonlySet<number>): void {
    for (const p of [...this.#followed.keys()]) if (!partitions.has(p)) this.#stop(p);
    for (const p of partitions) {
      if (this.#followed.has(p)) continue;
      this.#followed.set(p, { partition: p, state: 'waiting', checkpoint: undefined, end: undefined, lag: undefined, records: 0, caughtUp: false, retryAtMs: 0 });
    }
  }

  /**
   * Stops following a partition this instance is taking over and waits until no standby write
   * of it is in progress; after this, only the owner writes its keys.
   */
  async handOver(partition: number): Promise<void> {
    this.#stop(partition);
    await this.#busy;
  }

  status(): StandbyStatus[] {
    const num = (x: bigint | undefined): number | null => (x === undefined ? null : Number(x));
    return [...this.#followed.values()].sort((a, b) => a.partition - b.partition).map((f) => {
      const position = f.state === 'following' ? this.#d.reader.position(this.#d.topic, f.partition) : undefined;
      return { partition: f.partition, state: f.state, appliedOffset: num(f.checkpoint), position: num(position), changelogEndOffset: num(f.end), lag: num(f.lag), recordsApplied: f.records };
    });
  }

  /** Follows until the engine closes. */
  async run(): Promise<void> {
    const d = this.#d;
    while (!d.closing()) {
      await this.#exclusive(() => this.#startWaiting());
      if (![...this.#followed.values()].some((f) => f.state === 'following')) {
        await sleep(IDLE_WAIT_MS);
        continue;
      }
      let records: FetchedRecord[];
      try {
        records = await d.reader.fetch();
      } catch (err) {
        d.logger.warn({ err }, 'following standby changelogs failed; starting again from the local checkpoints');
        this.#rewindAll();
        await sleep(RETRY_PAUSE_MS);
        continue;
      }
      if (records.length > 0) await this.#exclusive(() => this.#apply(records));
      await this.#probeLag();
    }
  }

  #stop(partition: number): void {
    if (!this.#followed.delete(partition)) return;
    this.#d.reader.forget(this.#d.topic, partition);
  }

  /** Runs store work so that handOver can wait for it; never rejects. */
  async #exclusive(work: () => Promise<void>): Promise<void> {
    const run = work().catch((err: unknown) => this.#d.logger.error({ err }, 'standby store work failed'));
    this.#busy = run;
    await run;
  }

  /** Positions every waiting partition that may be followed now at its local checkpoint. */
  async #startWaiting(): Promise<void> {
    const d = this.#d;
    for (const f of [...this.#followed.values()]) {
      if (f.state !== 'waiting' || !d.mayFollow(f.partition) || d.closing() || this.#now() < f.retryAtMs) continue;
      try {
        const target = coreChangelogTarget(d.topic, f.partition);
        const { from, wiped } = await changelogStartPoint(d.reader, d.kv, target, d.logger);
        // handOver may have been called meanwhile; it waits for this work, so checking now is enough.
        if (this.#followed.get(f.partition) !== f || !d.mayFollow(f.partition)) continue;
        f.checkpoint = wiped || from === 0n ? undefined : from - 1n;
        d.reader.seek(d.topic, f.partition, from);
        f.state = 'following';
        d.logger.info({ partition: f.partition, from: from.toString(), wiped }, 'standby following partition');
      } catch (err) {
        f.retryAtMs = this.#now() + RETRY_PAUSE_MS;
        d.logger.warn({ err, partition: f.partition }, 'could not start following a standby partition; will retry');
      }
    }
  }

  async #apply(records: readonly FetchedRecord[]): Promise<void> {
    const byPartition = new Map<number, FetchedRecord[]>();
    for (const r of records) {
      if (r.topic !== this.#d.topic) continue;
      const list = byPartition.get(r.partition) ?? [];
      byPartition.set(r.partition, list);
      list.push(r);
    }
    for (const [p, list] of byPartition) {
      const f = this.#followed.get(p);
      // Records of a partition stopped after the fetch began are dropped: it is not ours to write.
      if (f === undefined || f.state !== 'following' || !this.#d.mayFollow(p)) continue;
      try {
        await applyChangelogRecords(this.#d.kv, list, changelogCheckpointKey(p), undefined);
      } catch (err) {
        // The position has moved past records the store does not hold: start again after the
        // checkpoint, or the copy would have a hole that a later takeover could not see.
        this.#d.logger.error({ err, partition: p }, 'could not write standby records; following again from the local checkpoint');
        this.#rewind(f);
        f.retryAtMs = this.#now() + RETRY_PAUSE_MS;
        continue;
      }
      f.checkpoint = list[list.length - 1]!.offset;
      f.records += list.length;
    }
  }

  /** After a failed fetch some positions may have moved past records never applied: re-seek all. */
  #rewindAll(): void {
    for (const f of this.#followed.values()) this.#rewind(f);
  }

  #rewind(f: Followed): void {
    this.#d.reader.forget(this.#d.topic, f.partition);
    f.state = 'waiting';
    f.lag = undefined;
  }

  #now(): number {
    return (this.#d.nowMs ?? Date.now)();
  }

  /** Reads the changelog's end of each followed partition now and then (bounded by their count). */
  async #probeLag(): Promise<void> {
    const d = this.#d;
    const now = this.#now();
    if (now - this.#lastProbeMs < (d.lagProbeIntervalMs ?? DEFAULT_LAG_PROBE_INTERVAL_MS)) return;
    this.#lastProbeMs = now;
    for (const f of [...this.#followed.values()]) {
      if (f.state !== 'following' || d.closing()) continue;
      try {
        f.end = await d.reader.endOffset(d.topic, f.partition);
      } catch (err) {
        d.logger.warn({ err, partition: f.partition }, 'could not read a standby changelog end offset');
        continue;
      }
      const position = d.reader.position(d.topic, f.partition);
      if (position === undefined) continue;
      f.lag = f.end > position ? f.end - position : 0n;
      if (!f.caughtUp && f.lag === 0n) {
        f.caughtUp = true;
        d.logger.info({ partition: f.partition, records: f.records, end: f.end.toString() }, 'standby caught up with the changelog');
      }
    }
  }
}
