// Disk faults under the engine, injected in-process: a store that refuses writes for a while, a
// log whose writes fail, an fsync that takes long. Each test ends by checking that the store equals
// a replay of the log (verifyDataDir), so nothing acknowledged was lost and nothing applied twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus } from '@filly/proto';
import { Records } from '../processor/records.ts';
import { wfRunKey } from '../store/keys.ts';
import type { KvWrite } from '../store/kv-store.ts';
import { MemoryKv } from '../store/memory-kv.ts';
import { partitionForKey } from '../commands/partition.ts';
import { Engine } from './engine.ts';
import { EngineUnavailableError } from './engine-errors.ts';
import { verifyDataDir } from './verify-store.ts';
import { makeFakeApply } from './testing/fake-apply.ts';
import { intVar, runWfCommand, strVar } from './testing/commands.ts';
import { PARTITIONS, recordingLogger, testLimits, waitFor, withTempDir } from './testing/harness.ts';

const keyOf = (id: string): string => wfRunKey(partitionForKey(id, PARTITIONS), 'default', { id });

/** A store whose writes fail while `failing` is set, like RocksDB on a full disk. */
class FlakyKv extends MemoryKv {
  failing = false;
  failedWrites = 0;
  recoverCalls = 0;
  override async write(batch: readonly KvWrite[]): Promise<void> {
    if (this.failing) {
      this.failedWrites++;
      throw new Error('IO error: No space left on device (simulated)');
    }
    return super.write(batch);
  }
  async recover(): Promise<void> {
    this.recoverCalls++;
    if (this.failing) throw new Error('IO error: still no space (simulated)');
  }
}

async function submitSettled(engine: Engine, id: string, vars: Parameters<typeof runWfCommand>[2] = {}): Promise<'ok' | 'unavailable' | string> {
  try {
    const outcome = await engine.submit(runWfCommand(id, PARTITIONS, vars));
    return outcome.ok ? 'ok' : `refused ${outcome.code}`;
  } catch (err) {
    if (err instanceof EngineUnavailableError) return 'unavailable';
    throw err;
  }
}

async function assertLogMatchesStore(dir: string, kv: MemoryKv): Promise<void> {
  const report = await verifyDataDir({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), logger: recordingLogger(), apply: makeFakeApply(), kv: kv.reopen() });
  assert.equal(report.problem, undefined);
  assert.deepEqual(report.mismatches, []);
  assert.equal(report.unappliedRecords, 0);
  assert.ok(report.ok);
}

test('a store that refuses writes recovers without a restart, losing and repeating nothing', async (t) => {
  await withTempDir(async (dir) => {
    const kv = new FlakyKv();
    const logger = recordingLogger();
    const engine = await Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger, kv, probeIntervalMs: 20 });
    t.after(() => engine.close()); // also when an assertion fails, so the test cannot hang
    for (let i = 0; i < 10; i++) assert.equal(await submitSettled(engine, `before-${i}`), 'ok');

    kv.failing = true;
    // Logged but not stored: its answer stands (a replay would make it true) and its timer and
    // task must still happen once the store is back.
    assert.equal(await submitSettled(engine, 'in-the-gap', { sleepMs: intVar(30), task: strVar('greet') }), 'ok');
    // The answer may leave before the store write (the log made it durable); the failure follows.
    await waitFor(() => !engine.isReady(), 5_000, 'the engine to refuse writes while the store fails');
    const refused = await Promise.all(Array.from({ length: 5 }, (_, i) => submitSettled(engine, `refused-${i}`)));
    assert.deepEqual(refused, Array(5).fill('unavailable'));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(kv.recoverCalls >= 2, `recovery was attempted (${kv.recoverCalls})`);

    kv.failing = false;
    await waitFor(() => engine.isReady(), 5_000, 'the engine to accept writes again');
    for (let i = 0; i < 10; i++) assert.equal(await submitSettled(engine, `after-${i}`), 'ok');
    assert.equal(engine.tasks.queuedCount('default', 'greet'), 1, 'the task of the gap batch is queued exactly once');
    for (let i = 0; i < 200; i++) {
      if ((await engine.get(Records.wfRun, keyOf('in-the-gap')))?.status === LHStatus.COMPLETED) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal((await engine.get(Records.wfRun, keyOf('in-the-gap')))?.status, LHStatus.COMPLETED, 'its timer fired after recovery');
    for (let i = 0; i < 5; i++) assert.equal(await engine.get(Records.wfRun, keyOf(`refused-${i}`)), undefined, 'refused writes left no trace');
    assert.equal(await submitSettled(engine, 'in-the-gap'), `refused 6`, 'the gap WfRun exists once (ALREADY_EXISTS)');
    await engine.close();
    await assertLogMatchesStore(dir, kv);
  });
});

test('failing log writes answer UNAVAILABLE and the log accepts writes again afterwards', async (t) => {
  await withTempDir(async (dir) => {
    let failWrites = false;
    const kv = new MemoryKv();
    const engine = await Engine.open({
      dataDir: dir,
      partitionCount: PARTITIONS,
      limits: testLimits(),
      apply: makeFakeApply(),
      logger: recordingLogger(),
      kv,
      probeIntervalMs: 20,
      logFaults: {
        beforeWrite: () => {
          if (failWrites) throw Object.assign(new Error('ENOSPC: no space left on device (simulated)'), { code: 'ENOSPC' });
    t.after(() => engine.close()); // also when an assertion fails, so the test cannot hang
        },
        beforeSync: () => {
          if (failWrites) throw Object.assign(new Error('EIO: i/o error (simulated)'), { code: 'EIO' });
        },
      },
    });
    assert.equal(await submitSettled(engine, 'a'), 'ok');
    failWrites = true;
    const during = await Promise.all(Array.from({ length: 8 }, (_, i) => submitSettled(engine, `during-${i}`)));
    assert.deepEqual(during, Array(8).fill('unavailable'));
    failWrites = false;
    await waitFor(() => engine.isReady(), 5_000, 'the log to be writable again');
    assert.equal(await submitSettled(engine, 'b'), 'ok');
    // Refused commands left nothing behind, so the same ids can be used now.
    assert.equal(await submitSettled(engine, 'during-0'), 'ok');
    await engine.close();
    await assertLogMatchesStore(dir, kv);
  });
});

test('a slow fsync delays answers but loses, reorders and duplicates nothing', async (t) => {
  await withTempDir(async (dir) => {
    let syncs = 0;
    const kv = new MemoryKv();
    const engine = await Engine.open({
      dataDir: dir,
      partitionCount: PARTITIONS,
      limits: testLimits(),
      apply: makeFakeApply(),
      logger: recordingLogger(),
      kv,
      logFaults: {
        beforeSync: async () => {
          syncs++;
          await new Promise((r) => setTimeout(r, 80));
        },
      },
    });
    t.after(() => engine.close()); // also when an assertion fails, so the test cannot hang
    const outcomes = await Promise.all(
      Array.from({ length: 120 }, (_, i) => submitSettled(engine, `slow-${i}`, i % 3 === 0 ? { sleepMs: intVar(20) } : {})),
    );
    assert.deepEqual(outcomes, Array(120).fill('ok'));
    assert.ok(syncs < 30, `group commit: ${syncs} syncs for 120 commands`);
    const sleepers = Array.from({ length: 40 }, (_, i) => `slow-${i * 3}`);
    for (const id of sleepers) {
      for (let i = 0; i < 300 && (await engine.get(Records.wfRun, keyOf(id)))?.status !== LHStatus.COMPLETED; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal((await engine.get(Records.wfRun, keyOf(id)))?.status, LHStatus.COMPLETED, `${id} completed`);
    }
    await engine.close();
    await assertLogMatchesStore(dir, kv);
  });
});
