// A damaged store is never started on silently: a bad checkpoint or RocksDB corruption makes the
// engine rebuild the store from the log (and say so); damage the log cannot repair stops it.
// verifyDataDir (filly-server --verify) finds any difference between the store and the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LHStatus, WfRun } from '@filly/proto';
import { Records } from '../processor/records.ts';
import { APPLY_CHECKPOINT_KEY, wfRunKey } from '../store/keys.ts';
import { MemoryKv } from '../store/memory-kv.ts';
import { RocksKv } from '../store/rocks-kv.ts';
import { partitionForKey } from '../commands/partition.ts';
import { LogCorruptError } from '../log/log-errors.ts';
import { Engine } from './engine.ts';
import type { EngineLogger } from './engine-logger.ts';
import { encodeCheckpoint } from './startup-loads.ts';
import { verifyDataDir } from './verify-store.ts';
import { makeFakeApply } from './testing/fake-apply.ts';
import { intVar, runWfCommand } from './testing/commands.ts';
import { PARTITIONS, dumpStore, hexRows, recordingLogger, testLimits, withTempDir } from './testing/harness.ts';

const keyOf = (id: string): string => wfRunKey(partitionForKey(id, PARTITIONS), 'default', { id });

function warnings(): EngineLogger & { warned: string[] } {
  const warned: string[] = [];
  return { warned, info: () => undefined, error: () => undefined, warn: (_f, m) => { warned.push(m); } };
}

async function fill(dir: string, kv: MemoryKv | undefined, n: number): Promise<void> {
  const engine = await Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger: recordingLogger(), ...(kv ? { kv } : {}) });
  const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => engine.submit(runWfCommand(`wf-${i}`, PARTITIONS, { sleepMs: intVar(3_600_000) }))));
  assert.ok(outcomes.every((o) => o.ok));
  await engine.close();
}

const verify = (dir: string, kv?: MemoryKv) =>
  verifyDataDir({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), logger: recordingLogger(), apply: makeFakeApply(), ...(kv ? { kv: kv.reopen() } : {}) });

test('a checkpoint that fails its checksum makes the engine rebuild the store from the log', async () => {
  await withTempDir(async (dir) => {
    const kv = new MemoryKv();
    await fill(dir, kv, 30);
    const before = hexRows(await dumpStore(kv.reopen()));
    const bytes = (await kv.get(APPLY_CHECKPOINT_KEY))!;
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x04; // still decodes as protobuf, to a wrong offset
    await kv.write([{ key: APPLY_CHECKPOINT_KEY, value: bytes }, { key: 'c/000/w/default/stray', value: new Uint8Array([1]) }]);
    const logger = warnings();
    const engine = await Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger, kv: kv.reopen() });
    assert.ok(logger.warned.some((m) => m.includes('damaged') && m.includes('rebuilding')), logger.warned.join('; '));
    assert.equal((await engine.get(Records.wfRun, keyOf('wf-29')))?.status, LHStatus.RUNNING);
    await engine.close();
    assert.deepEqual(hexRows(await dumpStore(kv.reopen())), before, 'the rebuilt store equals the one before the damage');
  });
});

test('a RocksDB store with a damaged checkpoint is set aside and rebuilt', async () => {
  await withTempDir(async (dir) => {
    await fill(dir, undefined, 20);
    const rocks = await RocksKv.open(join(dir, 'store'));
    await rocks.write([{ key: APPLY_CHECKPOINT_KEY, value: new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x08, 0x01]) }]);
    await rocks.close();
    const logger = warnings();
    const engine = await Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger });
    assert.equal((await engine.get(Records.wfRun, keyOf('wf-19')))?.status, LHStatus.RUNNING);
    await engine.close();
    assert.ok(logger.warned.some((m) => m.includes('set it aside')), logger.warned.join('; '));
    const entries = await readdir(dir);
    assert.equal(entries.filter((e) => e.startsWith('store.damaged-')).length, 1, entries.join(','));
    const report = await verify(dir);
    assert.ok(report.ok, JSON.stringify(report));
    assert.equal(report.checkpointOffset, 19);
  });
});

test('a store that has applied more than the log holds refuses to start', async () => {
  await withTempDir(async (dir) => {
    const kv = new MemoryKv();
    await fill(dir, kv, 5);
    await kv.reopen().write([{ key: APPLY_CHECKPOINT_KEY, value: encodeCheckpoint(99) }]);
    await assert.rejects(
      Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger: recordingLogger(), kv: kv.reopen() }),
      /applied the log up to offset 99/,
    );
  });
});

test('a checksum failure in the middle of the log refuses the start and names the file and byte', async () => {
  await withTempDir(async (dir) => {
    await fill(dir, new MemoryKv(), 10);
    const seg = join(dir, 'log', (await readdir(join(dir, 'log')))[0]!);
    const bytes = await readFile(seg);
    bytes[20] = bytes[20]! ^ 0x01; // inside the first record's payload
    await writeFile(seg, bytes);
    await assert.rejects(
      Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger: recordingLogger(), kv: new MemoryKv() }),
      (err: unknown) => err instanceof LogCorruptError && err.message.includes(seg) && /at byte 0 \(record 0\)/.test(err.message),
    );
    assert.equal((await readFile(seg)).length, bytes.length, 'nothing was cut');
  });
});

test('verify finds values, extra keys and missing keys that differ from the replayed log', async () => {
  await withTempDir(async (dir) => {
    const kv = new MemoryKv();
    await fill(dir, kv, 12);
    assert.ok((await verify(dir, kv)).ok, 'an untouched data directory verifies');
    const changed = WfRun.decode((await kv.reopen().get(keyOf('wf-3')))!);
    changed.status = LHStatus.ERROR;
    await kv.write([
      { key: keyOf('wf-3'), value: Records.wfRun.encode(changed) },
      { key: keyOf('wf-7'), value: null },
      { key: 'c/001/w/default/ghost', value: new Uint8Array([7]) },
    ]);
    const report = await verify(dir, kv);
    assert.equal(report.ok, false);
    assert.equal(report.mismatchCount, 3);
    assert.deepEqual(
      report.mismatches.map((m) => `${m.problem} ${m.key}`).sort(),
      [`different-value ${keyOf('wf-3')}`, `only-in-replay ${keyOf('wf-7')}`, 'only-in-store c/001/w/default/ghost'].sort(),
    );
  });
});
