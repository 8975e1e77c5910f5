// The TypeScript SDK against a real server: a task worker, a workflow built with the builder,
// WfRuns run and inspected through the client, and the worker reconnecting after a restart.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, RunWfRequest, type WfRun } from '@filly/proto';
import { defineTask, loadConfig, LHTaskWorker, LittleHorseClient, Workflow } from '@filly/sdk';
import { startServer, type ServerProcess } from '../harness/server-process.ts';

const greet = defineTask({ name: 'sdk-greet', input: { name: 'STR', times: 'INT' }, output: 'STR' }, async ({ name, times }) =>
  Array.from({ length: times }, () => `hi ${name}`).join(', '));

const greeting = new Workflow('sdk-greeting', (wf) => {
  const name = wf.declareStr('name').required();
  const times = wf.declareInt('times', 1);
  const text = wf.declareStr('text');
  wf.doIf(times.isGreaterThan(0), (w) => {
    text.assign(w.execute(greet, { name, times }, { retries: 1 }));
  }).doElse((w) => {
    text.assign('nobody greeted');
  });
});

let server: ServerProcess | undefined;
let client: LittleHorseClient | undefined;
let worker: LHTaskWorker | undefined;

after(async () => {
  await worker?.stop();
  client?.close();
  await server?.stop();
});

async function waitDone(c: LittleHorseClient, id: string): Promise<WfRun> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const run = await c.getWfRun({ id, parentWfRunId: undefined });
    if (run.status === LHStatus.COMPLETED || run.status === LHStatus.ERROR || run.status === LHStatus.EXCEPTION) return run;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`WfRun ${id} did not finish`);
}

test('a TypeScript worker and workflow run to completion, also after a server restart', async () => {
  server = await startServer();
  const config = loadConfig({ env: { LHC_API_HOST: '127.0.0.1', LHC_API_PORT: String(server.port), LHW_TASK_WORKER_ID: 'sdk-test-worker' } });
  client = new LittleHorseClient(config);
  worker = new LHTaskWorker(greet, config, { concurrency: 4 });
  await worker.registerTaskDef();
  await worker.start();
  await greeting.register(client);

  await client.runWf(RunWfRequest.fromPartial({ wfSpecName: 'sdk-greeting', id: 'sdk-1', variables: { name: { value: { $case: 'str', value: 'Ada' } }, times: { value: { $case: 'int', value: 2n } } } }));
  assert.equal((await waitDone(client, 'sdk-1')).status, LHStatus.COMPLETED);
  const text = await client.getVariable({ wfRunId: { id: 'sdk-1', parentWfRunId: undefined }, threadRunNumber: 0, name: 'text' });
  assert.deepEqual(text.value?.value, { $case: 'str', value: 'hi Ada, hi Ada' });

  await server.kill9();
  await server.restart();
  await client.runWf(RunWfRequest.fromPartial({ wfSpecName: 'sdk-greeting', id: 'sdk-2', variables: { name: { value: { $case: 'str', value: 'Bo' } } } }));
  assert.equal((await waitDone(client, 'sdk-2')).status, LHStatus.COMPLETED);
  const again = await client.getVariable({ wfRunId: { id: 'sdk-2', parentWfRunId: undefined }, threadRunNumber: 0, name: 'text' });
  assert.deepEqual(again.value?.value, { $case: 'str', value: 'hi Bo' });
});
