// Threads end to end against a real server: child threads and waiting for them, failures of
// children, failure handlers, interrupts, START_MULTIPLE_THREADS, rescue and the thread limit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, PutWfSpecRequest, ThreadType, WaitForThreadsRun_WaitingThreadStatus as Waiting, type VariableValue, type WfRun } from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, lit, nodeOut, putTaskDef, taskNode, varDef, varRef, waitForWfRun, type JsonNode } from '../harness/specs.ts';

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const jsonArr = (text: string): VariableValue => ({ value: { $case: 'jsonArr', value: text } });
const THREAD_LIMIT = 5;

interface ThreadJson {
  nodes: Record<string, JsonNode>;
  variableDefs?: unknown[];
  interruptDefs?: unknown[];
}

/** A WfSpec from nodes given in order: each has an edge to the next unless it declares its own. */
function chain(...steps: Array<[string, JsonNode]>): Record<string, JsonNode> {
  const out: Record<string, JsonNode> = {};
  steps.forEach(([name, node], i) => {
    const next = steps[i + 1];
    out[name] = { ...node, outgoingEdges: node.outgoingEdges ?? (next === undefined ? [] : [{ sinkNodeName: next[0] }]) };
  });
  return out;
}

function threadedSpec(name: string, threads: Record<string, ThreadJson>): PutWfSpecRequest {
  return PutWfSpecRequest.fromJSON({ name, entrypointThreadName: 'entrypoint', threadSpecs: threads });
}

const entry = (): JsonNode => ({ entrypoint: {} });
const exit = (): JsonNode => ({ exit: {} });
const work = (mode: unknown): JsonNode => taskNode('work', [mode]);

describe('threads on an embedded server', () => {
  let server: ServerProcess;
  let client: TestClient;
  const workers: TestWorker[] = [];
  const flakySeen = new Set<string>();

  before(async () => {
    server = await startServer({ env: { LHS_X_MAX_THREAD_RUNS_PER_WF_RUN: String(THREAD_LIMIT) } });
    client = connect(server.address);
    await putTaskDef(client, 'work', [['mode', 'STR']], 'STR');
    await putTaskDef(client, 'num', [['n', 'INT']], 'INT');
    await putTaskDef(client, 'flaky-once', [], 'STR');
    for (const name of ['poke', 'go', 'never']) await client.call.putExternalEventDef({ name } as never);
    workers.push(startTestWorker(client, 'work', (t) => {
      const mode = t.variables[0]?.value?.value;
      const m = mode?.$case === 'str' ? mode.value : '';
      if (m === 'fail') return { kind: 'failed', message: 'the disk is on fire' };
      if (m === 'throw') return { kind: 'exception', name: 'out-of-stock', message: 'none left', content: str('sku-7') };
      return { kind: 'success', output: str(`did ${m}`) };
    }, { credits: 4 }));
    workers.push(startTestWorker(client, 'num', (t) => {
      const n = t.variables[0]?.value?.value;
      return { kind: 'success', output: { value: { $case: 'int', value: (n?.$case === 'int' ? n.value : 0n) * 2n } } };
    }, { credits: 4 }));
    workers.push(startTestWorker(client, 'flaky-once', (t) => {
      const id = t.taskRunId?.wfRunId?.id ?? '';
      if (flakySeen.has(id)) return { kind: 'success', output: str('ok now') };
      flakySeen.add(id);
      return { kind: 'failed', message: 'first try fails' };
    }));
  });

  after(async () => {
    for (const w of workers) w.stop();
    client?.close();
    await server?.stop();
  });

  test('a parent spawns two children and waits for both', async () => {
    await client.call.putWfSpec(threadedSpec('two-children', {
      entrypoint: {
        nodes: chain(
          ['0-entrypoint-ENTRYPOINT', entry()],
          ['1-a-START_THREAD', { startThread: { threadSpecName: 'child', variables: { mode: lit({ str: 'a' }) } } }],
          ['2-b-START_THREAD', { startThread: { threadSpecName: 'child', variables: { mode: lit({ str: 'b' }) } } }],
          ['3-wait-WAIT_FOR_THREADS', { waitForThreads: { threads: { threads: [{ threadRunNumber: nodeOut('1-a-START_THREAD') }, { threadRunNumber: nodeOut('2-b-START_THREAD') }] }, strategy: 'WAIT_FOR_ALL' } }],
          ['4-exit-EXIT', exit()],
        ),
      },
      child: { nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-work-TASK', work(varRef('mode'))], ['2-exit-EXIT', exit()]), variableDefs: [varDef('mode', 'STR')] },
    }));
    await client.call.runWf({ wfSpecName: 'two-children', variables: {}, id: 'threads-two' });
    const done = await waitForWfRun(client, 'threads-two', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    assert.deepEqual(done.threadRuns.map((t) => [t.number, t.type, t.status, t.parentThreadId]), [
      [0, ThreadType.ENTRYPOINT, LHStatus.COMPLETED, undefined],
      [1, ThreadType.CHILD, LHStatus.COMPLETED, 0],
      [2, ThreadType.CHILD, LHStatus.COMPLETED, 0],
    ]);
    const wait = await client.call.getNodeRun({ wfRunId: { id: 'threads-two' }, threadRunNumber: 0, position: 3 });
    const waited = wait.nodeType?.$case === 'waitForThreads' ? wait.nodeType.value.threads : [];
    assert.deepEqual(waited.map((t) => [t.threadRunNumber, t.threadStatus, t.waitingStatus]), [
      [1, LHStatus.COMPLETED, Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED],
      [2, LHStatus.COMPLETED, Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED],
    ]);
    const spawned = await client.call.getNodeRun({ wfRunId: { id: 'threads-two' }, threadRunNumber: 0, position: 2 });
    assert.equal(spawned.nodeType?.$case === 'startThread' ? spawned.nodeType.value.childThreadId : -1, 2);
  });

  test('a failing child surfaces at WAIT_FOR_THREADS as CHILD_FAILURE', async () => {
    await client.call.putWfSpec(threadedSpec('child-fails', {
      entrypoint: {
        nodes: chain(
          ['0-entrypoint-ENTRYPOINT', entry()],
          ['1-a-START_THREAD', { startThread: { threadSpecName: 'failing', variables: {} } }],
          ['2-b-START_THREAD', { startThread: { threadSpecName: 'waiting', variables: {} } }],
          ['3-wait-WAIT_FOR_THREADS', { waitForThreads: { threads: { threads: [{ threadRunNumber: lit({ int: 1 }) }, { threadRunNumber: lit({ int: 2 }) }] } } }],
          ['4-exit-EXIT', exit()],
        ),
      },
      failing: { nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-work-TASK', work(lit({ str: 'fail' }))], ['2-exit-EXIT', exit()]) },
      waiting: { nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-never-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'never' } } }], ['2-exit-EXIT', exit()]) },
    }));
    await client.call.runWf({ wfSpecName: 'child-fails', variables: {}, id: 'threads-fail' });
    const done = await waitForWfRun(client, 'threads-fail', isTerminal);
    assert.equal(done.status, LHStatus.ERROR);
    assert.deepEqual(done.threadRuns.map((t) => t.status), [LHStatus.ERROR, LHStatus.ERROR, LHStatus.HALTED]);
    const wait = await client.call.getNodeRun({ wfRunId: { id: 'threads-fail' }, threadRunNumber: 0, position: 3 });
    assert.equal(wait.status, LHStatus.ERROR);
    assert.equal(wait.failures[0]?.failureName, 'CHILD_FAILURE');
    assert.match(wait.failures[0]?.message ?? '', /^Child thread 1 failed with TASK_FAILURE: /);
    const waited = wait.nodeType?.$case === 'waitForThreads' ? wait.nodeType.value.threads : [];
    assert.deepEqual(waited.map((t) => [t.threadRunNumber, t.threadStatus, t.waitingStatus]), [
      [1, LHStatus.ERROR, Waiting.THREAD_UNSUCCESSFUL],
      [2, LHStatus.HALTED, Waiting.THREAD_IN_PROGRESS],
    ]);
    const halted = await client.call.getNodeRun({ wfRunId: { id: 'threads-fail' }, threadRunNumber: 2, position: 1 });
    assert.equal(halted.status, LHStatus.HALTED);
  });

  test('an exception caught by a node failure handler lets the WfRun complete', async () => {
    await client.call.putWfSpec(threadedSpec('caught', {
      entrypoint: {
        nodes: chain(
          ['0-entrypoint-ENTRYPOINT', entry()],
          ['1-work-TASK', { ...work(lit({ str: 'throw' })), failureHandlers: [{ handlerSpecName: 'handler', specificFailure: 'out-of-stock' }] }],
          ['2-after-TASK', work(lit({ str: 'after' }))],
          ['3-exit-EXIT', exit()],
        ),
      },
      handler: { nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-work-TASK', work(varRef('INPUT'))], ['2-exit-EXIT', exit()]), variableDefs: [varDef('INPUT', 'STR')] },
    }));
    await client.call.runWf({ wfSpecName: 'caught', variables: {}, id: 'threads-caught' });
    const done = await waitForWfRun(client, 'threads-caught', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    assert.equal(done.threadRuns[1]?.type, ThreadType.FAILURE_HANDLER);
    assert.deepEqual(done.threadRuns[1]?.failureBeingHandled, { threadRunNumber: 0, nodeRunPosition: 1, failureNumber: 0 });
    const failed = await client.call.getNodeRun({ wfRunId: { id: 'threads-caught' }, threadRunNumber: 0, position: 1 });
    assert.equal(failed.status, LHStatus.EXCEPTION);
    assert.deepEqual(failed.failureHandlerIds, [1]);
    assert.equal(failed.failures[0]?.failureName, 'out-of-stock');
    assert.equal(failed.failures[0]?.wasProperlyHandled, true);
    assert.equal(failed.failures[0]?.failureHandlerThreadrunId, 1);
    const input = await client.call.getVariable({ wfRunId: { id: 'threads-caught' }, threadRunNumber: 1, name: 'INPUT' });
    assert.deepEqual(input.value, str('sku-7'));
    const after = await client.call.getNodeRun({ wfRunId: { id: 'threads-caught' }, threadRunNumber: 0, position: 2 });
    assert.equal(after.nodeName, '2-after-TASK');
  });

  test('an uncaught exception gives the WfRun status EXCEPTION', async () => {
    await client.call.putWfSpec(threadedSpec('uncaught', {
      entrypoint: {
        nodes: chain(
          ['0-entrypoint-ENTRYPOINT', entry()],
          ['1-a-START_THREAD', { startThread: { threadSpecName: 'thrower', variables: {} } }],
          ['2-wait-WAIT_FOR_THREADS', { waitForThreads: { threads: { threads: [{ threadRunNumber: nodeOut('1-a-START_THREAD') }] } } }],
          ['3-exit-EXIT', exit()],
        ),
      },
      thrower: { nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-exit-EXIT', { exit: { failureDef: { failureName: 'denied-by-user', message: 'no way' } } }]) },
    }));
    await client.call.runWf({ wfSpecName: 'uncaught', variables: {}, id: 'threads-uncaught' });
    const done = await waitForWfRun(client, 'threads-uncaught', isTerminal);
    assert.equal(done.status, LHStatus.EXCEPTION);
    assert.equal(done.threadRuns[1]?.status, LHStatus.EXCEPTION);
    const wait = await client.call.getNodeRun({ wfRunId: { id: 'threads-uncaught' }, threadRunNumber: 0, position: 2 });
    assert.equal(wait.failures[0]?.failureName, 'denied-by-user');
  });

  test('an interrupt halts the thread and its handler receives the event as INPUT', async () => {
    await client.call.putWfSpec(threadedSpec('interruptible', {
      entrypoint: {
        nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-go-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'go' } } }], ['2-exit-EXIT', exit()]),
        interruptDefs: [{ externalEventDefId: { name: 'poke' }, handlerSpecName: 'on-poke' }],
      },
      'on-poke': {
        nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-hold-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'never' } } }], ['2-exit-EXIT', exit()]),
        variableDefs: [varDef('INPUT', 'STR')],
      },
    }));
    const id = 'threads-interrupt';
    await client.call.runWf({ wfSpecName: 'interruptible', variables: {}, id });
    await client.call.putExternalEvent({ wfRunId: { id }, externalEventDefId: { name: 'poke' }, content: str('knock knock') });
    const interrupted = await waitForWfRun(client, id, (w) => w.threadRuns.length === 2);
    assert.equal(interrupted.status, LHStatus.RUNNING);
    assert.equal(interrupted.threadRuns[0]?.status, LHStatus.HALTED);
    assert.deepEqual(interrupted.threadRuns[0]?.haltReasons, [{ reason: { $case: 'interrupted', value: { interruptThreadId: 1 } } }]);
    assert.equal(interrupted.threadRuns[1]?.type, ThreadType.INTERRUPT);
    assert.equal(interrupted.threadRuns[1]?.interruptTriggerId?.externalEventDefId?.name, 'poke');
    const input = await client.call.getVariable({ wfRunId: { id }, threadRunNumber: 1, name: 'INPUT' });
    assert.deepEqual(input.value, str('knock knock'));
    const halted = await client.call.getNodeRun({ wfRunId: { id }, threadRunNumber: 0, position: 1 });
    assert.equal(halted.status, LHStatus.HALTED);
    // The handler finishes; the interrupted thread resumes and goes on waiting for 'go'.
    await client.call.putExternalEvent({ wfRunId: { id }, externalEventDefId: { name: 'never' }, content: str('done') });
    const resumed = await waitForWfRun(client, id, (w: WfRun) => w.threadRuns[0]?.status === LHStatus.RUNNING);
    assert.equal(resumed.threadRuns[1]?.status, LHStatus.COMPLETED);
    await client.call.putExternalEvent({ wfRunId: { id }, externalEventDefId: { name: 'go' }, content: str('go') });
    assert.equal((await waitForWfRun(client, id, isTerminal)).status, LHStatus.COMPLETED);
  });

  test('START_MULTIPLE_THREADS over a 3-element list', async () => {
    await client.call.putWfSpec(threadedSpec('fan-out', {
      entrypoint: {
        nodes: chain(
          ['0-entrypoint-ENTRYPOINT', entry()],
          ['1-spawn-START_MULTIPLE_THREADS', {
            startMultipleThreads: { threadSpecName: 'each', variables: {}, iterable: varRef('items') },
            outgoingEdges: [{ sinkNodeName: '2-wait-WAIT_FOR_THREADS', variableMutations: [{ lhsName: 'ids', operation: 'ASSIGN', nodeOutput: {} }] }],
          }],
          ['2-wait-WAIT_FOR_THREADS', { waitForThreads: { threadList: varRef('ids') } }],
          ['3-exit-EXIT', exit()],
        ),
        variableDefs: [varDef('items', 'JSON_ARR'), varDef('ids', 'JSON_ARR')],
      },
      each: { nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-num-TASK', taskNode('num', [varRef('INPUT')])], ['2-exit-EXIT', exit()]), variableDefs: [varDef('INPUT', 'INT')] },
    }));
    const id = 'threads-multi';
    await client.call.runWf({ wfSpecName: 'fan-out', variables: { items: jsonArr('[5,6,7]') }, id });
    const done = await waitForWfRun(client, id, isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    assert.equal(done.threadRuns.length, 4);
    const ids = await client.call.getVariable({ wfRunId: { id }, threadRunNumber: 0, name: 'ids' });
    assert.deepEqual(ids.value, jsonArr('[1,2,3]'));
    const spawn = await client.call.getNodeRun({ wfRunId: { id }, threadRunNumber: 0, position: 1 });
    assert.deepEqual(spawn.nodeType?.$case === 'startMultipleThreads' ? spawn.nodeType.value.childThreadIds : [], [1, 2, 3]);
    const inputs = await Promise.all([1, 2, 3].map((t) => client.call.getVariable({ wfRunId: { id }, threadRunNumber: t, name: 'INPUT' })));
    assert.deepEqual(inputs.map((v) => (v.value?.value?.$case === 'int' ? v.value.value.value : undefined)), [5n, 6n, 7n]);
  });

  test('rescue of an ERROR thread re-runs the failed node; a thread not in ERROR cannot be rescued', async () => {
    await client.call.putWfSpec(threadedSpec('rescuable', {
      entrypoint: { nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-flaky-TASK', taskNode('flaky-once', [])], ['2-exit-EXIT', exit()]) },
    }));
    const id = 'threads-rescue';
    await client.call.runWf({ wfSpecName: 'rescuable', variables: {}, id });
    const failed = await waitForWfRun(client, id, isTerminal);
    assert.equal(failed.status, LHStatus.ERROR);
    const rescued = await client.call.rescueThreadRun({ wfRunId: { id }, threadRunNumber: 0, skipCurrentNode: false });
    assert.equal(rescued.status, LHStatus.RUNNING);
    assert.equal(rescued.threadRuns[0]?.currentNodePosition, 2);
    const done = await waitForWfRun(client, id, isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    const tasks = await client.call.listTaskRuns({ wfRunId: { id } });
    assert.equal(tasks.results.length, 2);
    assert.equal(await codeOf(client.call.rescueThreadRun({ wfRunId: { id }, threadRunNumber: 0, skipCurrentNode: false })), 9);
    assert.equal(await codeOf(client.call.rescueThreadRun({ wfRunId: { id }, threadRunNumber: 7, skipCurrentNode: false })), 3);
    assert.equal(await codeOf(client.call.rescueThreadRun({ wfRunId: { id: 'no-such-run' }, threadRunNumber: 0, skipCurrentNode: false })), 5);
  });

  test('the thread limit fails the spawning NodeRun with INTERNAL_ERROR naming its setting', async () => {
    await client.call.putWfSpec(threadedSpec('too-many', {
      entrypoint: {
        nodes: chain(
          ['0-entrypoint-ENTRYPOINT', entry()],
          ['1-spawn-START_MULTIPLE_THREADS', { startMultipleThreads: { threadSpecName: 'idle', variables: {}, iterable: varRef('items') } }],
          ['2-exit-EXIT', exit()],
        ),
        variableDefs: [varDef('items', 'JSON_ARR')],
      },
      idle: { nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-exit-EXIT', exit()]) },
    }));
    const id = 'threads-limit';
    await client.call.runWf({ wfSpecName: 'too-many', variables: { items: jsonArr('[1,2,3,4,5]') }, id });
    const done = await waitForWfRun(client, id, isTerminal);
    assert.equal(done.status, LHStatus.ERROR);
    assert.equal(done.threadRuns.length, 1);
    const spawn = await client.call.getNodeRun({ wfRunId: { id }, threadRunNumber: 0, position: 1 });
    assert.equal(spawn.failures[0]?.failureName, 'INTERNAL_ERROR');
    assert.match(spawn.failures[0]?.message ?? '', new RegExp(`would have 6 ThreadRuns.*per WfRun: ${THREAD_LIMIT}.*LHS_X_MAX_THREAD_RUNS_PER_WF_RUN`));
  });
});
