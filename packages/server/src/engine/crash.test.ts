import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Records } from '../processor/records.ts';
import { wfRunKey } from '../store/keys.ts';
import { partitionForKey } from '../commands/partition.ts';
import { Engine } from './engine.ts';
import { makeFakeApply } from './testing/fake-apply.ts';
import { PARTITIONS, recordingLogger, testLimits, withTempDir } from './testing/harness.ts';

const child = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));

test('a process killed mid-stream loses no acknowledged command', async () => {
  await withTempDir(async (dir) => {
    const acked: string[] = [];
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      proc.on('error', reject);
      proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}`))));
      proc.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('ack ')) acked.push(line.slice(4));
        if (acked.length >= 400 && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
      });
    });
    assert.ok(acked.length >= 400, `child acknowledged ${acked.length}`);
    const engine = await Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger: recordingLogger() });
    try {
      const missing: string[] = [];
      for (const id of acked) {
        const key = wfRunKey(partitionForKey(id, PARTITIONS), 'default', { id });
        if ((await engine.get(Records.wfRun, key)) === undefined) missing.push(id);
      }
      assert.deepEqual(missing, []);
    } finally {
      await engine.close();
    }
  });
});
