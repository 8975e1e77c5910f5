import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentLog } from './segment-log.ts';
import { LogCorruptError, LogUnavailableError, RecordTooLargeError } from './log-errors.ts';
import { FRAME_HEADER_BYTES } from './frame.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'filly-log-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readAll(log: SegmentLog, from = 0): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const r of log.read(from)) out.push([r.offset, dec(r.payload)]);
  return out;
}

test('append returns the last offset and read yields records in order', async () => {
  await withDir(async (dir) => {
    const { log, report } = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    assert.equal(report.nextOffset, 0);
    assert.equal(await log.append([enc('a'), enc('b')]), 1);
    assert.equal(await log.append([enc('c')]), 2);
    assert.deepEqual(await readAll(log), [[0, 'a'], [1, 'b'], [2, 'c']]);
    assert.deepEqual(await readAll(log, 2), [[2, 'c']]);
    assert.deepEqual(await readAll(log, 3), []);
    await log.close();
  });
});

test('reopen continues offsets and keeps records across rolled segments', async () => {
  await withDir(async (dir) => {
    const first = await SegmentLog.open(dir, { maxRecordBytes: 1024, segmentBytes: 64 });
    for (let i = 0; i < 10; i++) await first.log.append([enc(`record-${i}-xxxxxxxxxxxxxxxx`)]);
    await first.log.close();
    const files = (await readdir(dir)).sort();
    assert.ok(files.length > 1, `expected rolled segments, got ${files.join(',')}`);
    const second = await SegmentLog.open(dir, { maxRecordBytes: 1024, segmentBytes: 64, verify: 'all' });
    assert.equal(second.report.nextOffset, 10);
    assert.equal(second.report.truncated, undefined);
    assert.equal(await second.log.append([enc('after')]), 10);
    const all = await readAll(second.log);
    assert.equal(all.length, 11);
    assert.deepEqual(all[3], [3, 'record-3-xxxxxxxxxxxxxxxx']);
    assert.deepEqual(all[10], [10, 'after']);
    assert.deepEqual(await readAll(second.log, 7), all.slice(7));
    await second.log.close();
  });
});

test('a torn final record is truncated away and reported', async () => {
  await withDir(async (dir) => {
    const { log } = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    await log.append([enc('one'), enc('two')]);
    await log.append([enc('three-is-longer')]);
    await log.close();
    const seg = join(dir, (await readdir(dir))[0]!);
    const full = (await stat(seg)).size;
    await truncate(seg, full - 4);
    const reopened = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    assert.ok(reopened.report.truncated, 'truncation is reported');
    assert.equal(reopened.report.nextOffset, 2);
    assert.equal(reopened.report.truncated.droppedBytes, FRAME_HEADER_BYTES + 'three-is-longer'.length - 4);
    assert.deepEqual(await readAll(reopened.log), [[0, 'one'], [1, 'two']]);
    assert.equal(await reopened.log.append([enc('four')]), 2);
    assert.deepEqual(await readAll(reopened.log, 2), [[2, 'four']]);
    await reopened.log.close();
  });
});

test('a zero-filled tail and a checksum-damaged last record are torn, not corrupt', async () => {
  await withDir(async (dir) => {
    const { log } = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    await log.append([enc('keep'), enc('lose')]);
    await log.close();
    const seg = join(dir, (await readdir(dir))[0]!);
    const bytes = await readFile(seg);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    await writeFile(seg, bytes);
    await appendFile(seg, Buffer.alloc(100));
    const reopened = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    assert.equal(reopened.report.nextOffset, 1);
    assert.deepEqual(await readAll(reopened.log), [[0, 'keep']]);
    await reopened.log.close();
  });
});

test('checksum damage before the tail refuses to open', async () => {
  await withDir(async (dir) => {
    const { log } = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    await log.append([enc('first'), enc('second'), enc('third')]);
    await log.close();
    const seg = join(dir, (await readdir(dir))[0]!);
    const bytes = await readFile(seg);
    bytes[FRAME_HEADER_BYTES + 1] = bytes[FRAME_HEADER_BYTES + 1]! ^ 0x01; // inside the first payload
    await writeFile(seg, bytes);
    await assert.rejects(SegmentLog.open(dir, { maxRecordBytes: 1024 }), LogCorruptError);
    // Nothing was cut: the damaged file is left for an operator.
    assert.equal((await stat(seg)).size, bytes.length);
  });
});

test('damage in a sealed segment is found by read and by a full verify', async () => {
  await withDir(async (dir) => {
    const { log } = await SegmentLog.open(dir, { maxRecordBytes: 1024, segmentBytes: 40 });
    for (let i = 0; i < 6; i++) await log.append([enc(`r${i}-yyyyyyyyyyyyyyyyyyyy`)]);
    await log.close();
    const first = join(dir, (await readdir(dir)).sort()[0]!);
    const bytes = await readFile(first);
    bytes[FRAME_HEADER_BYTES] = bytes[FRAME_HEADER_BYTES]! ^ 0x10;
    await writeFile(first, bytes);
    await assert.rejects(SegmentLog.open(dir, { maxRecordBytes: 1024, segmentBytes: 40, verify: 'all' }), LogCorruptError);
    const tailOnly = await SegmentLog.open(dir, { maxRecordBytes: 1024, segmentBytes: 40 });
    await assert.rejects(readAll(tailOnly.log), LogCorruptError);
    await tailOnly.log.close();
  });
});

test('records over maxRecordBytes and empty records are refused without writing', async () => {
  await withDir(async (dir) => {
    const { log } = await SegmentLog.open(dir, { maxRecordBytes: 8 });
    await assert.rejects(log.append([enc('ok'), enc('way too long')]), RecordTooLargeError);
    await assert.rejects(log.append([new Uint8Array(0)]));
    assert.equal(log.nextOffset, 0);
    assert.equal(await log.append([enc('ok')]), 0);
    await log.close();
  });
});

test('a torn frame header (only part of the 8 bytes written) is cut away at open', async () => {
  await withDir(async (dir) => {
    const { log } = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    await log.append([enc('alpha'), enc('beta')]);
    await log.close();
    const seg = join(dir, (await readdir(dir))[0]!);
    const intact = (await stat(seg)).size;
    // The start of a third frame: a length and half a checksum, then the crash.
    await appendFile(seg, Buffer.from([5, 0, 0, 0, 0xaa, 0xbb]));
    const reopened = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    assert.equal(reopened.report.truncated?.position, intact);
    assert.equal(reopened.report.truncated?.droppedBytes, 6);
    assert.match(reopened.report.truncated?.reason ?? '', /partial frame header/);
    assert.deepEqual(await readAll(reopened.log), [[0, 'alpha'], [1, 'beta']]);
    await reopened.log.close();
    assert.equal((await stat(seg)).size, intact);
  });
});

test('read-only open reports a torn tail without cutting it and refuses appends', async () => {
  await withDir(async (dir) => {
    const { log } = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    await log.append([enc('kept'), enc('torn-away')]);
    await log.close();
    const seg = join(dir, (await readdir(dir))[0]!);
    const size = (await stat(seg)).size;
    await truncate(seg, size - 3);
    const ro = await SegmentLog.open(dir, { maxRecordBytes: 1024, readOnly: true });
    assert.equal(ro.report.nextOffset, 1);
    assert.equal(ro.report.truncated?.droppedBytes, FRAME_HEADER_BYTES + 'torn-away'.length - 3);
    assert.deepEqual(await readAll(ro.log), [[0, 'kept']]);
    await assert.rejects(ro.log.append([enc('x')]));
    await ro.log.close();
    assert.equal((await stat(seg)).size, size - 3, 'the file is untouched');
  });
});

test('after a failed write the log cuts back to its last durable byte and appends again', async () => {
  await withDir(async (dir) => {
    let failSync = false;
    const { log } = await SegmentLog.open(dir, {
      maxRecordBytes: 1024,
      faults: { beforeSync: () => { if (failSync) throw new Error('EIO (simulated)'); } },
    });
    await log.append([enc('durable')]);
    failSync = true;
    await assert.rejects(log.append([enc('never-acknowledged')]), LogUnavailableError);
    assert.ok(log.failed);
    await assert.rejects(log.append([enc('refused')]), LogUnavailableError);
    await assert.rejects(log.probe(), /EIO/);
    failSync = false;
    await log.probe();
    assert.equal(await log.append([enc('next')]), 1);
    assert.deepEqual(await readAll(log), [[0, 'durable'], [1, 'next']]);
    await log.close();
    const reopened = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    assert.equal(reopened.report.truncated, undefined, 'no torn bytes were left behind');
    assert.deepEqual(await readAll(reopened.log), [[0, 'durable'], [1, 'next']]);
    await reopened.log.close();
  });
});

test('a damaged length field in the middle refuses the open instead of cutting the records after it', async () => {
  await withDir(async (dir) => {
    const { log } = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    for (let i = 0; i < 5; i++) await log.append([enc(`record-${i}`)]);
    await log.close();
    const seg = join(dir, (await readdir(dir))[0]!);
    const bytes = await readFile(seg);
    const second = FRAME_HEADER_BYTES + 'record-0'.length;
    bytes.writeUInt32LE(10_000, second); // now claims to run past the end of the file, like a torn write
    await writeFile(seg, bytes);
    await assert.rejects(
      SegmentLog.open(dir, { maxRecordBytes: 1024 }),
      (err: unknown) => err instanceof LogCorruptError && err.message.includes(`${seg} is corrupt at byte ${second} (record 1)`) && /intact record after it/.test(err.message),
    );
    assert.equal((await stat(seg)).size, bytes.length, 'nothing was cut');
  });
});

test('a damaged final frame followed by garbage that holds no intact frame is a torn write', async () => {
  await withDir(async (dir) => {
    const { log } = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    await log.append([enc('stays')]);
    await log.close();
    const seg = join(dir, (await readdir(dir))[0]!);
    const garbage = Buffer.alloc(64);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 37 + 11) & 0xff;
    garbage.writeUInt32LE(20, 0); // a plausible header whose checksum does not match
    await appendFile(seg, garbage);
    const reopened = await SegmentLog.open(dir, { maxRecordBytes: 1024 });
    assert.equal(reopened.report.truncated?.droppedBytes, 64);
    assert.deepEqual(await readAll(reopened.log), [[0, 'stays']]);
    await reopened.log.close();
  });
});
