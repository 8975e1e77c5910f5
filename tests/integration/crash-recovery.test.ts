// kill -9 in the middle of running WfRuns: after a restart every acknowledged RunWf is there,
// every WfRun completes, and no task attempt is delivered twice beyond declared retries.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, type VariableValue } from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, linearSpec, putTaskDef, taskNode, varRef, varDef, waitForWfRun } from '../harness/specs.ts';

const WF_RUNS = 60;
let server: ServerProcess | undefined;
let client: TestClient | undefined;
let worker: TestWorker | undefined;

after(async () => {
  worker?.stop();
  client?.close();
  await server?.stop();
});

test('kill -9 mid-run loses no acknowledged WfRun and every one completes after restart', async () => {
  server = await startServer();
  client = connect(server.address);
  await putTaskDef(client, 'step', [['i', 'INT']], 'INT');
  const steps: Array<[string, ReturnType<typeof taskNode>]> = [1, 2, 3].map((i) => [`${i}-step-TASK`, taskNode('step', [varRef('i')], { retries: 1, timeoutSeconds: 2 })]);
  await client.call.putWfSpec(linearSpec('crashy', steps, [varDef('i', 'INT')]));

  // Deliveries per (TaskRun, attempt): a second delivery of the same attempt would be a bug.
  const deliveries = new Map<string, number>();
  const onTask = (t: Parameters<Parameters<typeof startTestWorker>[2]>[0]) => {
    const key = `${t.taskRunId?.wfRunId?.id}/${t.taskRunId?.taskGuid}/${t.attemptNumber}`;
    deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
    return { kind: 'success' as const, output: { value: { $case: 'int', value: 1n } } as VariableValue };
  };
  worker = startTestWorker(client, 'step', onTask, { credits: 4 });

  const acknowledged: string[] = [];
  for (let i = 0; i < WF_RUNS; i++) {
    const id = `crash-${i}`;
    await client.call.runWf({ wfSpecName: 'crashy', variables: { i: { value: { $case: 'int', value: BigInt(i) } } }, id });
    acknowledged.push(id);
    if (i === WF_RUNS / 2) {
      await server.kill9();
      worker.stop();
      client.close();
      await server.restart();
      client = connect(server.address);
      worker = startTestWorker(client, 'step', onTask, { credits: 4 });
    }
  }

  for (const id of acknowledged) {
    const done = await waitForWfRun(client, id, isTerminal, 30_000);
    assert.equal(done.status, LHStatus.COMPLETED, `WfRun ${id} ended ${LHStatus[done.status]}`);
  }
  const duplicates = [...deliveries].filter(([, n]) => n > 1);
  assert.deepEqual(duplicates, [], 'no task attempt was delivered twice');
});
