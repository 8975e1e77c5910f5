import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKv } from '../store/memory-kv.ts';
import type { KvWrite } from '../store/kv-store.ts';
import type { EngineLogger } from '../engine/engine-logger.ts';
import { changelogCheckpointKey, decodeOffset, encodeOffset } from './changelog-records.ts';
import { coreChangelogTarget, restoreChangelog, type ChangelogReader } from './changelog-restore.ts';
import { OffsetOutOfRangeError, type FetchedRecord } from './partition-fetcher.ts';
import { StandbyFollower } from './standby-follower.ts';

const TOPIC = 'c-core-core-store-changelog';
const quiet: EngineLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));

/** An in-memory changelog with positioned reads, in pages of `page` records. */
class FakeChangelog implements ChangelogReader {
  readonly records: Map<number, FetchedRecord[]>;
  readonly start: Map<number, bigint>;
  readonly #positions = new Map<number, bigint>();
  page = 3;
  /** When set, the next fetch moves every position forward and then fails (what a partial failure leaves). */
  failNextFetch = false;

  /** A second reader of the same changelog shares its records and keeps its own positions. */
  constructor(shared?: FakeChangelog) {
    this.records = shared?.records ?? new Map();
    this.start = shared?.start ?? new Map();
  }

  append(partition: number, key: string, value: string | null): void {
    const list = this.records.get(partition) ?? [];
    this.records.set(partition, list);
    const offset = list.length === 0 ? (this.start.get(partition) ?? 0n) : list[list.length - 1]!.offset + 1n;
    list.push({ topic: TOPIC, partition, offset, key: Buffer.from(key), value: value === null ? null : Buffer.from(value), headers: new Map() });
  }

  seek(_topic: string, partition: number, offset: bigint): void {
    this.#positions.set(partition, offset);
  }
  forget(_topic: string, partition: number): void {
    this.#positions.delete(partition);
  }
  position(_topic: string, partition: number): bigint | undefined {
    return this.#positions.get(partition);
  }
  async startOffset(_topic: string, partition: number): Promise<bigint> {
    return this.start.get(partition) ?? 0n;
  }
  async endOffset(_topic: string, partition: number): Promise<bigint> {
    const list = this.records.get(partition) ?? [];
    return list.length === 0 ? (this.start.get(partition) ?? 0n) : list[list.length - 1]!.offset + 1n;
  }
  async fetch(): Promise<FetchedRecord[]> {
    await new Promise((r) => setTimeout(r, 2));
    const out: FetchedRecord[] = [];
    for (const [p, from] of this.#positions) {
      if (from < (this.start.get(p) ?? 0n)) throw new OffsetOutOfRangeError(TOPIC, p, from);
      const page = (this.records.get(p) ?? []).filter((r) => r.offset >= from).slice(0, this.page);
      out.push(...page);
      if (page.length > 0) this.#positions.set(p, page[page.length - 1]!.offset + 1n);
    }
    if (this.failNextFetch) {
      this.failNextFetch = false;
      throw new Error('broker went away mid-fetch');
    }
    return out;
  }
}

/** A store whose writes can be held back, to see who waits for them. */
class GatedKv extends MemoryKv {
  gate: Promise<void> | undefined;
  writes = 0;
  override async write(batch: readonly KvWrite[]): Promise<void> {
    this.writes++;
    if (this.gate) await this.gate;
    return super.write(batch);
  }
}

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Bounded by the deadline.
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(kv = new GatedKv()) {
  const log = new FakeChangelog();
  const blocked = new Set<number>();
  let closing = false;
  const follower = new StandbyFollower({ reader: log, kv, topic: TOPIC, logger: quiet, closing: () => closing, mayFollow: (p) => !blocked.has(p), lagProbeIntervalMs: 0 });
  const running = follower.run();
  const stop = async (): Promise<void> => {
    closing = true;
    await running;
  };
  return { log, kv, blocked, follower, stop };
}

const checkpointOf = async (kv: MemoryKv, p: number): Promise<bigint | undefined> => decodeOffset(await kv.get(changelogCheckpointKey(p)));

test('a standby writes its partitions’ changelog into the local store and advances their checkpoints', async () => {
  const { log, kv, follower, stop } = setup();
  try {
    for (let i = 0; i < 10; i++) log.append(1, `c/001/w/${i}`, `v${i}`);
    log.append(1, 'c/001/w/3', null);
    log.append(2, 'c/002/w/x', 'not followed');
    follower.follow(new Set([1]));
    await until('partition 1 followed to its end', async () => (await checkpointOf(kv, 1)) === 10n);
    assert.equal(text(await kv.get('c/001/w/9')), 'v9');
    assert.equal(await kv.get('c/001/w/3'), undefined, 'a tombstone deletes');
    assert.equal(await kv.get('c/002/w/x'), undefined, 'a partition not followed is not written');
    await until('the lag probe', () => follower.status()[0]?.lag === 0);
    assert.deepEqual(follower.status(), [{ partition: 1, state: 'following', appliedOffset: 10, position: 11, changelogEndOffset: 11, lag: 0, recordsApplied: 11 }]);
    log.append(1, 'c/001/w/new', 'later');
    await until('a later record followed', async () => text(await kv.get('c/001/w/new')) === 'later');
  } finally {
    await stop();
  }
});

test('a standby waits while the partition is owned or restoring here, and stops when told', async () => {
  const { log, kv, blocked, follower, stop } = setup();
  try {
    blocked.add(4);
    log.append(4, 'c/004/w/a', 'a');
    follower.follow(new Set([4]));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await kv.get('c/004/w/a'), undefined, 'nothing written while the owner side holds it');
    assert.equal(follower.status()[0]?.state, 'waiting');
    blocked.delete(4);
    await until('followed once allowed', async () => text(await kv.get('c/004/w/a')) === 'a');
    follower.follow(new Set());
    log.append(4, 'c/004/w/b', 'b');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await kv.get('c/004/w/b'), undefined, 'not written after it stopped following');
    assert.deepEqual(follower.status(), []);
  } finally {
    await stop();
  }
});

test('handOver waits for the standby write in progress, and nothing of the partition is written after it', async () => {
  const { log, kv, follower, stop } = setup();
  let open = (): void => undefined;
  try {
    log.append(0, 'c/000/w/a', 'a');
    kv.gate = new Promise<void>((r) => (open = r));
    follower.follow(new Set([0]));
    await until('a standby write started', () => kv.writes > 0);
    let handedOver = false;
    const handing = follower.handOver(0).then(() => (handedOver = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(handedOver, false, 'the takeover waits for the write');
    kv.gate = undefined;
    open();
    await handing;
    const writes = kv.writes;
    log.append(0, 'c/000/w/b', 'b');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(kv.writes, writes, 'no standby write after the hand-over');
    assert.equal(await kv.get('c/000/w/b'), undefined);
  } finally {
    kv.gate = undefined;
    open();
    await stop();
  }
});

test('following starts after the local checkpoint, or from the changelog start after a wipe when it is too old', async () => {
  const kv = new GatedKv();
  await kv.write([
    { key: changelogCheckpointKey(1), value: encodeOffset(4n) },
    { key: 'c/001/w/kept', value: Buffer.from('from before') },
    { key: changelogCheckpointKey(2), value: encodeOffset(1n) },
    { key: 'c/002/w/stale', value: Buffer.from('compacted away since') },
  ]);
  const { log, follower, stop } = setup(kv);
  try {
    for (let i = 0; i < 8; i++) log.append(1, `c/001/w/${i}`, `v${i}`);
    log.start.set(2, 5n);
    for (let i = 0; i < 3; i++) log.append(2, `c/002/w/${i}`, `v${i}`);
    follower.follow(new Set([1, 2]));
    await until('both followed', async () => (await checkpointOf(kv, 1)) === 7n && (await checkpointOf(kv, 2)) === 7n);
    assert.equal(follower.status()[0]?.recordsApplied, 3, 'partition 1 read only offsets 5..7');
    assert.equal(await kv.get('c/001/w/0'), undefined, 'records up to the checkpoint are not read again');
    assert.equal(text(await kv.get('c/001/w/kept')), 'from before');
    assert.equal(await kv.get('c/002/w/stale'), undefined, 'a too old copy is wiped');
    assert.equal(text(await kv.get('c/002/w/2')), 'v2');
  } finally {
    await stop();
  }
});

test('after a failed fetch the standby goes back to its checkpoints and loses no record', async () => {
  const { log, kv, follower, stop } = setup();
  try {
    for (let i = 0; i < 4; i++) log.append(3, `c/003/w/${i}`, `v${i}`);
    follower.follow(new Set([3]));
    await until('followed', async () => (await checkpointOf(kv, 3)) === 3n);
    for (let i = 4; i < 9; i++) log.append(3, `c/003/w/${i}`, `v${i}`);
    log.failNextFetch = true;
    await until('followed past the failure', async () => (await checkpointOf(kv, 3)) === 8n, 8_000);
    for (let i = 0; i < 9; i++) assert.equal(text(await kv.get(`c/003/w/${i}`)), `v${i}`, `record ${i}`);
  } finally {
    await stop();
  }
});

test('a takeover after a standby restores only the tail, and still reads to the changelog’s end', async () => {
  const { log, kv, blocked, follower, stop } = setup();
  try {
    for (let i = 0; i < 20; i++) log.append(5, `c/005/w/${i % 7}`, `v${i}`);
    follower.follow(new Set([5]));
    await until('standby caught up', async () => (await checkpointOf(kv, 5)) === 19n);
    // The owner side takes over: it blocks the standby, hands over, then restores.
    blocked.add(5);
    await follower.handOver(5);
    log.append(5, 'c/005/w/last', 'written after the standby stopped');
    const restored = await restoreChangelog(new FakeChangelog(log), kv, coreChangelogTarget(TOPIC, 5), quiet, () => false);
    assert.deepEqual({ records: restored.records, from: restored.fromOffset, wiped: restored.wiped }, { records: 1, from: 20n, wiped: false });
    assert.equal(text(await kv.get('c/005/w/last')), 'written after the standby stopped');
    assert.equal(text(await kv.get('c/005/w/5')), 'v19');
  } finally {
    await stop();
  }
});

test('a failed store write is not skipped: the standby reads those records again', async () => {
  const { log, kv, follower, stop } = setup();
  try {
    for (let i = 0; i < 5; i++) log.append(6, `c/006/w/${i}`, `v${i}`);
    kv.failNextWrite = new Error('disk full for a moment');
    follower.follow(new Set([6]));
    await until('followed after the failure', async () => (await checkpointOf(kv, 6)) === 4n);
    assert.equal(kv.failNextWrite, undefined, 'the failing write happened');
    for (let i = 0; i < 5; i++) assert.equal(text(await kv.get(`c/006/w/${i}`)), `v${i}`, `record ${i}`);
  } finally {
    await stop();
  }
});
