// The rest of the WfRun lifecycle against a real server: finished threads archived out of their
// WfRun (ThreadRetentionPolicy and the completed-thread limit) and read back with
// GetInactiveThreadRun; deleting a WfRun takes its child WfRuns and its correlation markers with
// it; migrations apply lazily, when a thread reaches a mapped node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, PutExternalEventDefRequest, PutWfSpecRequest, type VariableValue, type WfRun } from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { isTerminal, linearSpec, nodeOut, spec, varDef, varRef, waitForWfRun, type JsonNode } from '../harness/specs.ts';

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ENTRY = '0-entrypoint-ENTRYPOINT';
const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;
const FAILED_PRECONDITION = 9;
/** The server keeps at most this many COMPLETED non-entrypoint threads inline. */
const COMPLETED_KEPT = 2;

function chain(...steps: Array<[string, JsonNode]>): Record<string, JsonNode> {
  const out: Record<string, JsonNode> = {};
  steps.forEach(([name, node], i) => {
    const next = steps[i + 1];
    out[name] = { ...node, outgoingEdges: node.outgoingEdges ?? (next === undefined ? [] : [{ sinkNodeName: next[0] }]) };
  });
  return out;
}

const entry = (): JsonNode => ({ entrypoint: {} });
const exit = (): JsonNode => ({ exit: {} });
const waitFor = (def: string, extra: Record<string, unknown> = {}): JsonNode => ({ externalEvent: { externalEventDefId: { name: def }, ...extra } });
const startChild = (): JsonNode => ({ startThread: { threadSpecName: 'child', variables: {} } });
const quickChild = { nodes: chain(['0-entrypoint-ENTRYPOINT', entry()], ['1-exit-EXIT', exit()]) };

/** Polls until `check` holds; bounded in time (the machine is shared: be generous). */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
    last = await read();
  }
  return last;
}

const heldNumbers = (w: WfRun): number[] => w.threadRuns.map((t) => t.number);

describe('thread archival and WfRun lifecycle', () => {
  let server: ServerProcess;
  let client: TestClient;

  before(async () => {
    server = await startServer({ env: { FILLY_MAX_COMPLETED_THREAD_RUNS_PER_WF_RUN: String(COMPLETED_KEPT) } });
    client = connect(server.address);
    for (const name of ['go', 'later']) await client.call.putExternalEventDef(PutExternalEventDefRequest.fromPartial({ name }));
    await client.call.putExternalEventDef(PutExternalEventDefRequest.fromJSON({
      name: 'payment',
      contentType: { returnType: { primitiveType: 'STR' } },
      correlatedEventConfig: { deleteAfterFirstCorrelation: false },
    }));
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('a ThreadRetentionPolicy archives a finished child; GetInactiveThreadRun serves it', async () => {
    const req = PutWfSpecRequest.fromJSON({
      name: 'retains-child',
      entrypointThreadName: 'entrypoint',
      threadSpecs: {
        entrypoint: {
          nodes: chain([ENTRY, entry()], ['1-child-START_THREAD', startChild()], ['2-go-EXTERNAL_EVENT', waitFor('go')],
            ['3-wait-WAIT_FOR_THREADS', { waitForThreads: { threads: { threads: [{ threadRunNumber: nodeOut('1-child-START_THREAD') }] } } }],
            ['4-exit-EXIT', exit()]),
        },
        child: { ...quickChild, retentionPolicy: { secondsAfterThreadTermination: 1 } },
      },
    });
    await client.call.putWfSpec(req);
    const started = await client.call.runWf({ wfSpecName: 'retains-child', variables: {}, id: 'keep-1' });
    assert.deepEqual(heldNumbers(started), [0, 1], 'the child is held until its retention passes');
    assert.equal(await codeOf(client.call.getInactiveThreadRun({ wfRunId: { id: 'keep-1' }, threadRunNumber: 1 })), NOT_FOUND, 'an active thread is not inactive');

    const archived = await eventually(() => client.call.getWfRun({ id: 'keep-1' }), (w) => w.threadRuns.length === 1, 'the child to be archived');
    assert.deepEqual(heldNumbers(archived), [0]);
    assert.equal(archived.greatestThreadrunNumber, 1);
    const inactive = await client.call.getInactiveThreadRun({ wfRunId: { id: 'keep-1' }, threadRunNumber: 1 });
    assert.equal(inactive.threadRun?.number, 1);
    assert.equal(inactive.threadRun?.status, LHStatus.COMPLETED);
    assert.equal(inactive.threadRun?.threadSpecName, 'child');
    assert.equal(inactive.threadRun?.parentThreadId, 0);

    assert.equal(await codeOf(client.call.getInactiveThreadRun({ wfRunId: { id: 'keep-1' }, threadRunNumber: 0 })), NOT_FOUND);
    assert.equal(await codeOf(client.call.getInactiveThreadRun({ wfRunId: { id: 'keep-1' }, threadRunNumber: 7 })), NOT_FOUND);
    assert.equal(await codeOf(client.call.getInactiveThreadRun({ wfRunId: { id: 'nobody' }, threadRunNumber: 1 })), NOT_FOUND);
    assert.equal(await codeOf(client.call.getInactiveThreadRun({ wfRunId: { id: 'keep-1' }, threadRunNumber: -1 })), INVALID_ARGUMENT);
    assert.equal(await codeOf(client.call.getInactiveThreadRun({ wfRunId: undefined, threadRunNumber: 1 })), INVALID_ARGUMENT);

    // WAIT_FOR_THREADS runs after the archival and still finds the child.
    await client.call.putExternalEvent({ wfRunId: { id: 'keep-1' }, externalEventDefId: { name: 'go' }, content: str('now') });
    assert.equal((await waitForWfRun(client, 'keep-1', isTerminal)).status, LHStatus.COMPLETED);

    await client.call.deleteWfRun({ id: { id: 'keep-1' } });
    assert.equal(await codeOf(client.call.getInactiveThreadRun({ wfRunId: { id: 'keep-1' }, threadRunNumber: 1 })), NOT_FOUND, 'deleted with its WfRun');
  });

  test('past the completed-thread limit, finished threads are archived at once', async () => {
    await client.call.putWfSpec(PutWfSpecRequest.fromJSON({
      name: 'many-children',
      entrypointThreadName: 'entrypoint',
      threadSpecs: {
        entrypoint: {
          nodes: chain([ENTRY, entry()], ['1-a-START_THREAD', startChild()], ['2-b-START_THREAD', startChild()], ['3-c-START_THREAD', startChild()],
            ['4-d-START_THREAD', startChild()], ['5-go-EXTERNAL_EVENT', waitFor('go')], ['6-exit-EXIT', exit()]),
        },
        child: quickChild,
      },
    }));
    const run = await client.call.runWf({ wfSpecName: 'many-children', variables: {}, id: 'many-1' });
    assert.equal(run.greatestThreadrunNumber, 4);
    assert.ok(run.threadRuns.length - 1 <= COMPLETED_KEPT, `at most ${COMPLETED_KEPT} finished children stay inline; held ${heldNumbers(run).join(',')}`);
    const held = new Set(heldNumbers(run));
    for (let number = 1; number <= 4; number++) {
      if (held.has(number)) continue;
      const inactive = await client.call.getInactiveThreadRun({ wfRunId: { id: 'many-1' }, threadRunNumber: number });
      assert.equal(inactive.threadRun?.status, LHStatus.COMPLETED);
    }
    assert.deepEqual(run.threadRuns[0]?.childThreadIds, [1, 2, 3, 4]);
  });

  test('deleting a parent WfRun deletes its child WfRuns; deleting a child alone fails the waiting parent', async () => {
    await client.call.putWfSpec(linearSpec('waits-for-go', [['1-go-EXTERNAL_EVENT', waitFor('go')]]));
    await client.call.putWfSpec(spec('runs-waiter', {
      [ENTRY]: { entrypoint: {}, outgoingEdges: [{ sinkNodeName: '1-run-RUN_CHILD_WF' }] },
      '1-run-RUN_CHILD_WF': { runChildWf: { wfSpecName: 'waits-for-go', majorVersion: -1, inputs: {} }, outgoingEdges: [{ sinkNodeName: '2-wait-WAIT_FOR_CHILD_WF' }] },
      '2-wait-WAIT_FOR_CHILD_WF': {
        waitForChildWf: { childWfRunId: nodeOut('1-run-RUN_CHILD_WF'), childWfRunSourceNode: '1-run-RUN_CHILD_WF' },
        outgoingEdges: [{ sinkNodeName: '3-exit-EXIT' }],
      },
      '3-exit-EXIT': { exit: {} },
    }));
    const childOf = async (parent: string) => {
      const nr = await client.call.getNodeRun({ wfRunId: { id: parent }, threadRunNumber: 0, position: 1 });
      const id = nr.nodeType?.$case === 'runChildWf' ? nr.nodeType.value.childWfRunId : undefined;
      assert.ok(id, 'the parent started a child');
      return id;
    };

    await client.call.runWf({ wfSpecName: 'runs-waiter', variables: {}, id: 'family-1' });
    const child1 = await childOf('family-1');
    assert.equal((await client.call.getWfRun(child1)).status, LHStatus.RUNNING);
    await client.call.deleteWfRun({ id: { id: 'family-1' } });
    assert.equal(await codeOf(client.call.getWfRun({ id: 'family-1' })), NOT_FOUND);
    assert.equal(await codeOf(client.call.getWfRun(child1)), NOT_FOUND, 'the child went with its parent');

    await client.call.runWf({ wfSpecName: 'runs-waiter', variables: {}, id: 'family-2' });
    const child2 = await childOf('family-2');
    await client.call.deleteWfRun({ id: child2 });
    assert.equal(await codeOf(client.call.getWfRun(child2)), NOT_FOUND);
    const parent = await waitForWfRun(client, 'family-2', isTerminal);
    assert.equal(parent.status, LHStatus.ERROR, 'the parent stops waiting for a child that is gone');
    const wait = await client.call.getNodeRun({ wfRunId: { id: 'family-2' }, threadRunNumber: 0, position: 2 });
    assert.equal(wait.failures[0]?.failureName, 'CHILD_FAILURE');
  });

  test('deleting a WfRun that waits for a correlated event removes it from the correlation marker', async () => {
    await client.call.putWfSpec(linearSpec('pays', [
      ['1-payment-EXTERNAL_EVENT', waitFor('payment', { correlationKey: varRef('order') })],
    ], [varDef('order', 'STR', { required: true })]));
    await client.call.runWf({ wfSpecName: 'pays', variables: { order: str('order-gone') }, id: 'payer-gone' });
    await client.call.runWf({ wfSpecName: 'pays', variables: { order: str('order-kept') }, id: 'payer-kept' });
    await sleep(300); // the markers are registered by follow-up commands
    await client.call.deleteWfRun({ id: { id: 'payer-gone' } });
    await sleep(300); // and released by follow-up commands
    const nobody = await client.call.putCorrelatedEvent({ key: 'order-gone', externalEventDefId: { name: 'payment' }, content: str('paid') });
    assert.deepEqual(nobody.externalEvents, [], 'no ExternalEvent is created for the deleted WfRun');
    // The same path still delivers to a WfRun that was not deleted.
    await client.call.putCorrelatedEvent({ key: 'order-kept', externalEventDefId: { name: 'payment' }, content: str('paid') });
    assert.equal((await waitForWfRun(client, 'payer-kept', isTerminal)).status, LHStatus.COMPLETED);
  });

  test('a migration applied while a thread waits at an unmapped node takes effect when it reaches a mapped one', async () => {
    await client.call.putWfSpec(linearSpec('lazy-mover', [['1-a-EXTERNAL_EVENT', waitFor('go')], ['2-b-EXTERNAL_EVENT', waitFor('later')]]));
    const v1 = await client.call.putWfSpec(linearSpec('lazy-mover', [['1-b-EXTERNAL_EVENT', waitFor('later')], ['2-done-NOP', { nop: {} }]]));
    assert.deepEqual([v1.id?.majorVersion, v1.id?.revision], [0, 1]);
    await client.call.runWf({ wfSpecName: 'lazy-mover', majorVersion: 0, revision: 0, variables: {}, id: 'lazy-1' });
    await client.call.putWorkflowMigrationPlan({
      name: 'lazy-0-to-1',
      oldWfSpec: { name: 'lazy-mover', majorVersion: 0, revision: 0 },
      majorVersion: 0,
      revision: 1,
      threadMigrations: { entrypoint: { newThreadName: 'entrypoint', nodeMigrations: { '2-b-EXTERNAL_EVENT': { newNodeName: '1-b-EXTERNAL_EVENT' } } } },
    });
    const stamped = await client.call.applyWorkflowMigrationPlan({ id: { name: 'lazy-0-to-1' }, wfRunId: { id: 'lazy-1' }, migrationVarsByThread: {} });
    assert.equal(stamped.workflowMigrationPlanId?.name, 'lazy-0-to-1', 'stamped, not yet migrated');
    assert.equal(stamped.wfSpecId?.revision, 0);
    assert.equal(await codeOf(client.call.applyWorkflowMigrationPlan({ id: { name: 'lazy-0-to-1' }, wfRunId: { id: 'lazy-1' }, migrationVarsByThread: {} })), FAILED_PRECONDITION);

    await client.call.putExternalEvent({ wfRunId: { id: 'lazy-1' }, externalEventDefId: { name: 'go' }, content: str('now') });
    const moved = await waitForWfRun(client, 'lazy-1', (w) => w.wfSpecId?.revision === 1);
    assert.equal(moved.workflowMigrationPlanId, undefined);
    assert.deepEqual(moved.oldWfSpecVersions.map((id) => id.revision), [0]);
    await client.call.putExternalEvent({ wfRunId: { id: 'lazy-1' }, externalEventDefId: { name: 'later' }, content: str('now') });
    assert.equal((await waitForWfRun(client, 'lazy-1', isTerminal)).status, LHStatus.COMPLETED);
    const nodes = await client.call.listNodeRuns({ wfRunId: { id: 'lazy-1' } });
    assert.deepEqual(nodes.results.map((n) => [n.nodeName, n.wfSpecId?.revision]), [
      [ENTRY, 0], ['1-a-EXTERNAL_EVENT', 0], ['1-b-EXTERNAL_EVENT', 1], ['2-done-NOP', 1], ['3-exit-EXIT', 1],
    ]);

    await client.call.putWfSpec(linearSpec('unrelated', [['1-go-EXTERNAL_EVENT', waitFor('go')]]));
    await client.call.runWf({ wfSpecName: 'unrelated', variables: {}, id: 'unrelated-1' });
    assert.equal(await codeOf(client.call.applyWorkflowMigrationPlan({ id: { name: 'lazy-0-to-1' }, wfRunId: { id: 'unrelated-1' }, migrationVarsByThread: {} })), FAILED_PRECONDITION);
  });
});
