// Child process for the crash test: opens an engine on argv[2] and submits WfRuns forever,
// printing "ack <id>" for each acknowledged one, until the parent kills it with SIGKILL.
import { Engine } from '../engine.ts';
import { makeFakeApply } from './fake-apply.ts';
import { runWfCommand } from './commands.ts';
import { PARTITIONS, recordingLogger, testLimits } from './harness.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child.ts <dataDir>');
const engine = await Engine.open({ dataDir: dir, partitionCount: PARTITIONS, limits: testLimits(), apply: makeFakeApply(), logger: recordingLogger() });
process.stdout.write('ready\n');
let next = 0;
// Bounded by the parent's kill; the cap only stops a runaway child.
for (let wave = 0; wave < 100_000; wave++) {
  const ids = Array.from({ length: 20 }, () => `crash-${next++}`);
  await Promise.all(
    ids.map(async (id) => {
      const outcome = await engine.submit(runWfCommand(id, PARTITIONS));
      if (outcome.ok) process.stdout.write(`ack ${id}\n`);
    }),
  );
}
