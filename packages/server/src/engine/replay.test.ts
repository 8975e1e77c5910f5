import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { RocksKv } from '../store/rocks-kv.ts';
import { Engine } from './engine.ts';
import { makeFakeApply } from './testing/fake-apply.ts';
import { intVar, putTaskDefCommand, runWfCommand, stopWfRunCommand, strVar } from './testing/commands.ts';
import { PARTITIONS, dumpStore, hexRows, recordingLogger, testLimits, waitFor, withTempDir } from './testing/harness.ts';

test('rebuilding a store from the log alone gives byte-identical state', async () => {
  await withTempDir(async (root) => {
    const liveDir = join(root, 'live');
    const rebuiltDir = join(root, 'rebuilt');
    const base = { partitionCount: PARTITIONS, limits: testLimits({ maxCachedWfRuns: 4 }), logger: recordingLogger() };
    let timersFired = 0;
    const apply = makeFakeApply({
      onApplied: (ctx) => {
        if (ctx.command.body?.$case === 'sleepNodeMatured') timersFired++;
      },
    });
    const live = await Engine.open({ ...base, dataDir: liveDir, apply });
    const results = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) =>
        live.submit(runWfCommand(`r-${i}`, PARTITIONS, i % 2 ? { sleepMs: intVar(5 + i) } : { task: strVar('greet'), sleepMs: intVar(3_600_000) })),
      ),
      live.submit(putTaskDefCommand('greet', PARTITIONS)),
      live.submit(putTaskDefCommand('greet', PARTITIONS)), // rejected, not logged
    ]);
    assert.equal(results.filter((r) => r.ok).length, 51);
    for (let i = 0; i < 10; i += 2) assert.ok((await live.submit(stopWfRunCommand(`r-${i}`, PARTITIONS, 'greet'))).ok);
    await waitFor(() => timersFired === 25, 5_000, 'short timers to fire');
    await new Promise((r) => setTimeout(r, 50)); // let the last fired commands commit
    await live.close();

    await cp(join(liveDir, 'log'), join(rebuiltDir, 'log'), { recursive: true });
    const rebuilt = await Engine.open({ ...base, dataDir: rebuiltDir, apply: makeFakeApply() });
    assert.equal(rebuilt.tasks.queuedCount('default', 'greet'), 20);
    await rebuilt.close();

    const a = await RocksKv.open(join(liveDir, 'store'));
    const b = await RocksKv.open(join(rebuiltDir, 'store'));
    try {
      const liveRows = await dumpStore(a);
      assert.ok(liveRows.length >= 97, `expected a real workload, got ${liveRows.length} rows`);
      assert.deepEqual(hexRows(await dumpStore(b)), hexRows(liveRows));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
