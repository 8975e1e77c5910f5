// Workflows end to end against a real server process: the behaviour a LittleHorse user relies on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, TaskStatus, type VariableValue } from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, lit, linearSpec, nodeOut, putTaskDef, spec, taskNode, varDef, varRef, waitForWfRun } from '../harness/specs.ts';

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const int = (n: number): VariableValue => ({ value: { $case: 'int', value: BigInt(n) } });

describe('workflows on an embedded server', () => {
  let server: ServerProcess;
  let client: TestClient;
  const workers: TestWorker[] = [];

  before(async () => {
    server = await startServer();
    client = connect(server.address);
    await putTaskDef(client, 'echo', [['text', 'STR']], 'STR');
    await putTaskDef(client, 'flaky', [], 'STR');
    await putTaskDef(client, 'slow', [], 'STR');
    await putTaskDef(client, 'count', [['n', 'INT']], 'INT');
    workers.push(startTestWorker(client, 'echo', (t) => {
      const text = t.variables[0]?.value?.value;
      return { kind: 'success', output: str(`${text?.$case === 'str' ? text.value : '?'}!`), log: 'echoed' };
    }, { credits: 4 }));
    workers.push(startTestWorker(client, 'count', (t) => {
      const n = t.variables[0]?.value?.value;
      return { kind: 'success', output: int(Number(n?.$case === 'int' ? n.value : -100) + 1) };
    }, { credits: 2 }));
  });

  after(async () => {
    for (const w of workers) w.stop();
    client?.close();
    await server?.stop();
  });

  test('a five-task chain passes each output to the next task and completes', async () => {
    const steps: Array<[string, ReturnType<typeof taskNode>]> = [];
    for (let i = 1; i <= 5; i++) {
      steps.push([`${i}-echo-TASK`, taskNode('echo', [i === 1 ? varRef('input') : nodeOut(`${i - 1}-echo-TASK`)])]);
    }
    await client.call.putWfSpec(linearSpec('five-chain', steps, [varDef('input', 'STR', { required: true })]));
    const run = await client.call.runWf({ wfSpecName: 'five-chain', variables: { input: str('go') }, id: 'chain-1' });
    assert.equal(run.id?.id, 'chain-1');
    const done = await waitForWfRun(client, 'chain-1', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    const tasks = await client.call.listTaskRuns({ wfRunId: { id: 'chain-1' } });
    assert.equal(tasks.results.length, 5);
    const outputs = tasks.results.map((t) => t.attempts[0]?.result?.$case === 'output' ? t.attempts[0].result.value.value : undefined);
    const strings = outputs.map((o) => (o?.$case === 'str' ? o.value : '')).sort();
    assert.deepEqual(strings, ['go!', 'go!!', 'go!!!', 'go!!!!', 'go!!!!!']);
    const nodes = await client.call.listNodeRuns({ wfRunId: { id: 'chain-1' } });
    assert.deepEqual(nodes.results.map((n) => n.id?.position), [0, 1, 2, 3, 4, 5, 6]);
    assert.ok(nodes.results.every((n) => n.status === LHStatus.COMPLETED));
  });

  test('RunWf with a caller-chosen id is refused the second time with ALREADY_EXISTS', async () => {
    await client.call.putWfSpec(linearSpec('dup-check', [['1-echo-TASK', taskNode('echo', [lit({ str: 'x' })])]]));
    await client.call.runWf({ wfSpecName: 'dup-check', variables: {}, id: 'dup-1' });
    await assert.rejects(client.call.runWf({ wfSpecName: 'dup-check', variables: {}, id: 'dup-1' }), { code: 6 });
  });

  test('a while loop driven by an edge condition runs until the condition is false', async () => {
    // counter starts at 0; loop: if counter < 3 → count(counter) → counter := output → back.
    const nodes = {
      '0-entrypoint-ENTRYPOINT': { entrypoint: {}, outgoingEdges: [{ sinkNodeName: '1-loop-NOP' }] },
      '1-loop-NOP': {
        nop: {},
        outgoingEdges: [
          { sinkNodeName: '2-count-TASK', condition: { expression: { lhs: varRef('counter'), comparator: 'LESS_THAN', rhs: lit({ int: 3 }) } } },
          { sinkNodeName: '3-exit-EXIT' },
        ],
      },
      '2-count-TASK': {
        ...taskNode('count', [varRef('counter')]),
        outgoingEdges: [{ sinkNodeName: '1-loop-NOP', variableMutations: [{ lhsName: 'counter', operation: 'ASSIGN', rhsAssignment: nodeOut('2-count-TASK') }] }],
      },
      '3-exit-EXIT': { exit: {} },
    };
    await client.call.putWfSpec(spec('while-loop', nodes, [varDef('counter', 'INT', { varDef: { name: 'counter', typeDef: { primitiveType: 'INT' }, defaultValue: { int: 0 } } })]));
    await client.call.runWf({ wfSpecName: 'while-loop', variables: {}, id: 'loop-1' });
    const done = await waitForWfRun(client, 'loop-1', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    const counter = await client.call.getVariable({ wfRunId: { id: 'loop-1' }, threadRunNumber: 0, name: 'counter' });
    assert.deepEqual(counter.value?.value, { $case: 'int', value: 3n });
    const tasks = await client.call.listTaskRuns({ wfRunId: { id: 'loop-1' } });
    assert.equal(tasks.results.length, 3);
  });

  test('a failing task is retried and then succeeds', async () => {
    const attempts: number[] = [];
    workers.push(startTestWorker(client, 'flaky', (t) => {
      attempts.push(t.attemptNumber);
      return t.attemptNumber < 2 ? { kind: 'failed', message: 'not yet' } : { kind: 'success', output: str('finally') };
    }));
    await client.call.putWfSpec(linearSpec('retry-then-ok', [['1-flaky-TASK', taskNode('flaky', [], { retries: 2 })]]));
    await client.call.runWf({ wfSpecName: 'retry-then-ok', variables: {}, id: 'retry-1' });
    const done = await waitForWfRun(client, 'retry-1', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    assert.deepEqual(attempts, [0, 1, 2]);
    const [task] = (await client.call.listTaskRuns({ wfRunId: { id: 'retry-1' } })).results;
    assert.deepEqual(task?.attempts.map((a) => a.status), [TaskStatus.TASK_FAILED, TaskStatus.TASK_FAILED, TaskStatus.TASK_SUCCESS]);
    assert.equal(task?.status, TaskStatus.TASK_SUCCESS);
  });

  test('an attempt that times out is retried, and its timeout starts at the claim', async () => {
    workers.push(startTestWorker(client, 'slow', (t) => (t.attemptNumber === 0 ? { kind: 'silent' } : { kind: 'success', output: str('second') })));
    await client.call.putWfSpec(linearSpec('timeout-retry', [['1-slow-TASK', taskNode('slow', [], { retries: 1, timeoutSeconds: 1 })]]));
    const started = Date.now();
    await client.call.runWf({ wfSpecName: 'timeout-retry', variables: {}, id: 'timeout-1' });
    const done = await waitForWfRun(client, 'timeout-1', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    assert.ok(Date.now() - started >= 1_000, 'the retry came only after the 1 s timeout');
    const [task] = (await client.call.listTaskRuns({ wfRunId: { id: 'timeout-1' } })).results;
    assert.deepEqual(task?.attempts.map((a) => a.status), [TaskStatus.TASK_TIMEOUT, TaskStatus.TASK_SUCCESS]);
  });

  test('a business exception fails the WfRun with EXCEPTION, a task error with ERROR', async () => {
    await putTaskDef(client, 'refuse', [], 'STR');
    await putTaskDef(client, 'crash', [], 'STR');
    workers.push(startTestWorker(client, 'refuse', () => ({ kind: 'exception', name: 'out-of-stock', message: 'none left' })));
    workers.push(startTestWorker(client, 'crash', () => ({ kind: 'failed', message: 'boom' })));
    await client.call.putWfSpec(linearSpec('biz-exc', [['1-refuse-TASK', taskNode('refuse', [], { retries: 3 })]]));
    await client.call.putWfSpec(linearSpec('task-err', [['1-crash-TASK', taskNode('crash')]]));
    await client.call.runWf({ wfSpecName: 'biz-exc', variables: {}, id: 'exc-1' });
    await client.call.runWf({ wfSpecName: 'task-err', variables: {}, id: 'err-1' });
    const exc = await waitForWfRun(client, 'exc-1', isTerminal);
    const err = await waitForWfRun(client, 'err-1', isTerminal);
    assert.equal(exc.status, LHStatus.EXCEPTION);
    assert.equal(err.status, LHStatus.ERROR);
    const excTasks = await client.call.listTaskRuns({ wfRunId: { id: 'exc-1' } });
    assert.equal(excTasks.results[0]?.attempts.length, 1, 'business exceptions are not retried');
    const excNode = await client.call.getNodeRun({ wfRunId: { id: 'exc-1' }, threadRunNumber: 0, position: 1 });
    assert.equal(excNode.failures[0]?.failureName, 'out-of-stock');
    const errNode = await client.call.getNodeRun({ wfRunId: { id: 'err-1' }, threadRunNumber: 0, position: 1 });
    assert.equal(errNode.failures[0]?.failureName, 'TASK_FAILURE');
  });

  test('a sleep node waits its seconds, then the WfRun continues', async () => {
    await client.call.putWfSpec(linearSpec('nap', [['1-sleep-SLEEP', { sleep: { rawSeconds: lit({ int: 1 }) } }]]));
    const started = Date.now();
    await client.call.runWf({ wfSpecName: 'nap', variables: {}, id: 'nap-1' });
    const running = await client.call.getWfRun({ id: 'nap-1' });
    assert.equal(running.status, LHStatus.RUNNING);
    const done = await waitForWfRun(client, 'nap-1', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    assert.ok(Date.now() - started >= 1_000);
  });

  test('an external event posted after the node waits completes it; one posted before is kept for it', async () => {
    await client.call.putExternalEventDef({ name: 'approved', retentionPolicy: undefined, contentType: undefined, correlatedEventConfig: undefined });
    const wait: [string, ReturnType<typeof taskNode>] = ['1-approved-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'approved' } } }];
    await client.call.putWfSpec(linearSpec('approval', [wait]));

    await client.call.runWf({ wfSpecName: 'approval', variables: {}, id: 'after-1' });
    assert.equal((await client.call.getWfRun({ id: 'after-1' })).status, LHStatus.RUNNING);
    await client.call.putExternalEvent({ wfRunId: { id: 'after-1' }, externalEventDefId: { name: 'approved' }, content: str('yes') });
    assert.equal((await waitForWfRun(client, 'after-1', isTerminal)).status, LHStatus.COMPLETED);

    const early = await client.call.putExternalEvent({ wfRunId: { id: 'before-1' }, externalEventDefId: { name: 'approved' }, content: str('early'), guid: 'early-guid' });
    assert.equal(early.claimed, false);
    await client.call.runWf({ wfSpecName: 'approval', variables: {}, id: 'before-1' });
    assert.equal((await waitForWfRun(client, 'before-1', isTerminal)).status, LHStatus.COMPLETED);
    const event = await client.call.getExternalEvent({ wfRunId: { id: 'before-1' }, externalEventDefId: { name: 'approved' }, guid: 'early-guid' });
    assert.equal(event.claimed, true);
    await assert.rejects(
      client.call.putExternalEvent({ wfRunId: { id: 'before-1' }, externalEventDefId: { name: 'approved' }, content: str('again'), guid: 'early-guid' }),
      { code: 6 },
    );
  });

  test('stop halts a WfRun and resume lets it finish', async () => {
    await client.call.putExternalEventDef({ name: 'go-on', retentionPolicy: undefined, contentType: undefined, correlatedEventConfig: undefined });
    await client.call.putWfSpec(linearSpec('stoppable', [
      ['1-go-on-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'go-on' } } }],
      ['2-echo-TASK', taskNode('echo', [lit({ str: 'after' })])],
    ]));
    await client.call.runWf({ wfSpecName: 'stoppable', variables: {}, id: 'stop-1' });
    await client.call.stopWfRun({ wfRunId: { id: 'stop-1' }, threadRunNumber: 0 });
    const halted = await waitForWfRun(client, 'stop-1', (w) => w.status === LHStatus.HALTED);
    assert.equal(halted.threadRuns[0]?.status, LHStatus.HALTED);
    await client.call.putExternalEvent({ wfRunId: { id: 'stop-1' }, externalEventDefId: { name: 'go-on' }, content: str('go') });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await client.call.getWfRun({ id: 'stop-1' })).status, LHStatus.HALTED, 'a halted WfRun does not advance');
    await client.call.resumeWfRun({ wfRunId: { id: 'stop-1' }, threadRunNumber: 0 });
    assert.equal((await waitForWfRun(client, 'stop-1', isTerminal)).status, LHStatus.COMPLETED);
  });
});
