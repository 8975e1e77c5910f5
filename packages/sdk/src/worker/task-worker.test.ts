import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHErrorType, TaskStatus, type ScheduledTask, type VariableValue } from '@filly/proto';
import { FakeTaskServer } from '../testing/fake-lh-server.ts';
import { loadConfig } from '../client/config.ts';
import { defineTask, buildPutTaskDefRequest, type TaskDefinition } from './task-definition.ts';
import { LHTaskException } from './task-exception.ts';
import { LHTaskWorker, type TaskWorkerOptions } from './task-worker.ts';

const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function scheduled(guid: string, vars: Record<string, VariableValue>, attempt = 0): ScheduledTask {
  return {
    taskRunId: { wfRunId: { id: 'wf1' }, taskGuid: guid },
    taskDefId: { name: 'x' },
    attemptNumber: attempt,
    variables: Object.entries(vars).map(([varName, value]) => ({ varName, value, masked: false })),
    createdAt: { seconds: 1_700_000_000n, nanos: 0 },
    source: {
      taskRunSource: { $case: 'taskNode', value: { nodeRunId: { wfRunId: { id: 'wf1' }, threadRunNumber: 0, position: 1 } } },
      wfSpecId: { name: 'wf', majorVersion: 0, revision: 0 },
    },
    totalObservedCheckpoints: 0,
  };
}

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const int = (n: bigint): VariableValue => ({ value: { $case: 'int', value: n } });

async function setup(
  task: TaskDefinition,
  opts: TaskWorkerOptions = {},
): Promise<{ server: FakeTaskServer; worker: LHTaskWorker }> {
  const server = new FakeTaskServer();
  await server.start();
  const req = buildPutTaskDefRequest(task);
  server.taskDefs.set(task.name, { id: { name: task.name }, inputVars: req.inputVars, returnType: req.returnType });
  const config = loadConfig({ env: {}, apiHost: '127.0.0.1', apiPort: server.port, taskWorkerId: 'w-1', tenantId: 't1' });
  const worker = new LHTaskWorker(task, config, {
    heartbeatIntervalMs: 200,
    heartbeatRetryBaseMs: 50,
    reportRetryBaseMs: 10,
    logger: quietLogger,
    ...opts,
  });
  return { server, worker };
}

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('executes a task with decoded inputs and reports TASK_SUCCESS with output and log', async () => {
  const seen: unknown[] = [];
  const greet = defineTask(
    { name: 'greet', input: { name: 'STR', times: 'INT' }, output: 'STR' },
    ({ name, times }, ctx) => {
      seen.push(ctx.wfRunId.id, ctx.nodeRunId?.position, ctx.attemptNumber, ctx.idempotencyKey);
      seen.push(ctx.scheduledTime?.toISOString());
      ctx.log('hi ');
      ctx.log(times);
      return `${name}!`.repeat(times);
    },
  );
  const { server, worker } = await setup(greet);
  try {
    await worker.start();
    assert.equal(server.heartbeats[0]?.taskWorkerId, 'w-1');
    assert.equal(server.heartbeats[0]?.taskDefId?.name, 'greet');
    assert.equal(server.metadataSeen[0]?.['tenantid'], 't1');
    server.enqueue(scheduled('g1', { name: str('bo'), times: int(2n) }, 3));
    await server.waitForReports(1);
    const r = server.reports[0];
    assert.equal(r?.status, TaskStatus.TASK_SUCCESS);
    assert.deepEqual(r?.result, { $case: 'output', value: str('bo!bo!') });
    assert.deepEqual(r?.logOutput, str('hi 2'));
    assert.equal(r?.attemptNumber, 3);
    assert.equal(r?.taskRunId?.taskGuid, 'g1');
    assert.deepEqual(seen, ['wf1', 1, 3, 'wf1/g1', '2023-11-14T22:13:20.000Z']);
  } finally {
    await worker.stop();
    server.kill();
  }
});

test('never has more polls plus unreported tasks in flight than its concurrency', async () => {
  let running = 0;
  let maxRunning = 0;
  const slow = defineTask({ name: 'slow', input: {} }, async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 30));
    running--;
  });
  const { server, worker } = await setup(slow, { concurrency: 3 });
  try {
    await worker.start();
    await until(() => server.parkedPolls === 3, 'three parked polls');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.streams.length, 1, 'one stream per host');
    assert.equal(server.streams[0]?.requests, 3, 'exactly one request per credit while idle');
    for (let i = 0; i < 10; i++) server.enqueue(scheduled(`s${i}`, {}));
    await server.waitForReports(10);
    assert.equal(maxRunning, 3);
    assert.ok(server.maxInFlight <= 3, `in flight reached ${server.maxInFlight}`);
    const s = server.streams[0];
    await until(() => s !== undefined && s.requests - s.responses === 3, 'credits re-offered after the reports');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(s?.requests, 13, 'one new request per executed task, none extra');
  } finally {
    await worker.stop();
    server.kill();
  }
});

test('reports a thrown LHTaskException as TASK_EXCEPTION and other errors as TASK_FAILED', async () => {
  const risky = defineTask({ name: 'risky', input: { mode: 'STR' }, output: 'INT' }, ({ mode }) => {
    if (mode === 'biz') throw new LHTaskException('out-of-stock', 'no more widgets', { sku: 7 });
    if (mode === 'bug') throw new TypeError('boom');
    return 1;
  });
  const { server, worker } = await setup(risky);
  try {
    await worker.start();
    server.enqueue(scheduled('a', { mode: str('biz') }));
    await server.waitForReports(1);
    server.enqueue(scheduled('b', { mode: str('bug') }));
    await server.waitForReports(2);
    const [exn, fail] = server.reports;
    assert.equal(exn?.status, TaskStatus.TASK_EXCEPTION);
    assert.deepEqual(exn?.result, {
      $case: 'exception',
      value: { name: 'out-of-stock', message: 'no more widgets', content: { value: { $case: 'jsonObj', value: '{"sku":7}' } } },
    });
    assert.equal(fail?.status, TaskStatus.TASK_FAILED);
    assert.equal(fail?.result?.$case, 'error');
    if (fail?.result?.$case === 'error') {
      assert.equal(fail.result.value.type, LHErrorType.TASK_FAILURE);
      assert.match(fail.result.value.message, /TypeError: boom/);
    }
  } finally {
    await worker.stop();
    server.kill();
  }
});

test('reports bad inputs as TASK_INPUT_VAR_SUB_ERROR', async () => {
  const t = defineTask({ name: 'typed', input: { n: 'INT' } }, () => undefined);
  const { server, worker } = await setup(t);
  try {
    await worker.start();
    server.enqueue(scheduled('a', { n: str('not a number') }));
    await server.waitForReports(1);
    assert.equal(server.reports[0]?.status, TaskStatus.TASK_INPUT_VAR_SUB_ERROR);
  } finally {
    await worker.stop();
    server.kill();
  }
});

test('retries a failed report until the server accepts it', async () => {
  const t = defineTask({ name: 'once', input: {}, output: 'BOOL' }, () => true);
  const { server, worker } = await setup(t, { reportMaxAttempts: 4 });
  server.failReports = 2;
  try {
    await worker.start();
    server.enqueue(scheduled('a', {}));
    await server.waitForReports(1);
    assert.equal(server.failedReportCalls, 2);
    assert.equal(server.reports.length, 1);
    assert.equal(server.reports[0]?.status, TaskStatus.TASK_SUCCESS);
  } finally {
    await worker.stop();
    server.kill();
  }
});

test('stop() waits for running tasks, reports them, and stops polling', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const t = defineTask({ name: 'gated', input: {}, output: 'STR' }, async () => {
    await gate;
    return 'done';
  });
  const { server, worker } = await setup(t, { concurrency: 2 });
  await worker.start();
  server.enqueue(scheduled('a', {}));
  await until(() => worker.runningTasks === 1, 'task running');
  let stopped = false;
  const stopping = worker.stop().then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(stopped, false, 'stop waits for the running task');
  const requestsAtStop = server.streams[0]?.requests;
  release();
  await stopping;
  assert.equal(server.reports.length, 1);
  assert.deepEqual(server.reports[0]?.result, { $case: 'output', value: str('done') });
  assert.equal(server.streams[0]?.requests, requestsAtStop, 'no poll after stop');
  await until(() => server.openStreams === 0, 'stream closed');
  server.kill();
});

test('stop() reports a task that outlives the stop timeout as failed', async () => {
  const t = defineTask({ name: 'stuck', input: {} }, () => new Promise<void>(() => undefined));
  const { server, worker } = await setup(t, { stopTimeoutMs: 50 });
  await worker.start();
  server.enqueue(scheduled('a', {}));
  await until(() => worker.runningTasks === 1, 'task running');
  await worker.stop();
  assert.equal(server.reports.length, 1);
  assert.equal(server.reports[0]?.status, TaskStatus.TASK_FAILED);
  server.kill();
});

test('reconnects after the server restarts', async () => {
  const t = defineTask({ name: 'echo', input: { s: 'STR' }, output: 'STR' }, ({ s }) => s);
  const { server, worker } = await setup(t);
  try {
    await worker.start();
    await until(() => server.parkedPolls > 0, 'first poll');
    const port = server.port;
    server.kill();
    await new Promise((r) => setTimeout(r, 150));
    const heartbeatsBefore = server.heartbeats.length;
    await server.start(port);
    await until(() => server.heartbeats.length > heartbeatsBefore && server.parkedPolls > 0, 'new poll stream');
    server.enqueue(scheduled('after', { s: str('back') }));
    await server.waitForReports(1);
    assert.deepEqual(server.reports[0]?.result, { $case: 'output', value: str('back') });
  } finally {
    await worker.stop();
    server.kill();
  }
});

test('start() refuses a TaskDef that is missing or differs', async () => {
  const t = defineTask({ name: 'mine', input: { a: 'STR' } }, () => undefined);
  const { server, worker } = await setup(t);
  try {
    server.taskDefs.delete('mine');
    await assert.rejects(worker.start(), /not registered/);
    const other = new LHTaskWorker(t, loadConfig({ env: {}, apiHost: '127.0.0.1', apiPort: server.port }), {
      logger: quietLogger,
    });
    server.taskDefs.set('mine', { id: { name: 'mine' }, inputVars: [{ name: 'b', type: 4 }] });
    await assert.rejects(other.start(), /differs/);
    await other.stop();
  } finally {
    await worker.stop();
    server.kill();
  }
});
