// The engine answers once a batch is in the log, before its store write; readers must still see
// every answered write. Metadata, and records of cached WfRuns that are all in the log, are read
// from memory without touching the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus } from '@filly/proto';
import { Records } from '../processor/records.ts';
import { taskDefKey, wfRunKey } from '../store/keys.ts';
import type { KvWrite } from '../store/kv-store.ts';
import { MemoryKv } from '../store/memory-kv.ts';
import { Engine } from './engine.ts';
import { makeFakeApply } from './testing/fake-apply.ts';
import { putTaskDefCommand, runWfCommand } from './testing/commands.ts';
import { PARTITIONS, recordingLogger, testLimits, withTempDir } from './testing/harness.ts';
import { partitionForKey } from '../commands/partition.ts';

/** A MemoryKv whose writes can be held back, and which counts reads. */
class GatedKv extends MemoryKv {
  gets = 0;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  override async write(batch: readonly KvWrite[]): Promise<void> {
    if (this.#gate) await this.#gate;
    return super.write(batch);
  }

  override async get(key: string): Promise<Uint8Array | undefined> {
    this.gets++;
    return super.get(key);
  }
}

test('an answer does not wait for the store write, and a read after it sees the write', async () => {
  await withTempDir(async (dir) => {
    const kv = new GatedKv();
    const engine = await Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger: recordingLogger(), kv });
    kv.hold();
    const outcome = await engine.submit(runWfCommand('early', PARTITIONS));
    assert.ok(outcome.ok, 'answered while the store write is held');
    const key = wfRunKey(partitionForKey('early', PARTITIONS), 'default', { id: 'early' });
    assert.equal(await kv.get(key), undefined, 'the store does not have it yet');
    // A point read of a WfRun the engine holds, all in the log, comes from memory.
    const gets = kv.gets;
    assert.equal((await engine.get(Records.wfRun, key))?.status, LHStatus.RUNNING);
    assert.equal(kv.gets, gets, 'no store read');
    // A scan goes to the store, so it waits for the write.
    let scanned: number | 'pending' = 'pending';
    const scanning = engine.scan(Records.wfRun, key, { limit: 10 }).then((rows) => {
      scanned = rows.length;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(scanned, 'pending', 'the scan waits for the store write');
    kv.release();
    await scanning;
    assert.equal(scanned, 1);
    await engine.close();
  });
});

test('metadata reads are answered from memory once the metadata is in the log', async () => {
  await withTempDir(async (dir) => {
    const kv = new GatedKv();
    const engine = await Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger: recordingLogger(), kv });
    assert.ok((await engine.submit(putTaskDefCommand('greet', PARTITIONS))).ok);
    const before = kv.gets;
    for (let i = 0; i < 5; i++) assert.equal((await engine.get(Records.taskDef, taskDefKey('default', 'greet')))?.id?.name, 'greet');
    assert.equal(await engine.get(Records.taskDef, taskDefKey('default', 'absent')), undefined);
    assert.equal(kv.gets, before, 'no store read');
    await engine.close();
  });
});
