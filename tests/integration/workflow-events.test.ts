// Workflow events, correlated events and checkpoints against a real server process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LHStatus,
  PutCheckpointResponse_FlowControlContinue as FlowControl,
  PutExternalEventDefRequest,
  PutWorkflowEventDefRequest,
  type Checkpoint,
  type PutCheckpointResponse,
  type VariableValue,
  type WorkflowEvent,
} from '@filly/proto';
import type { ServiceError } from '@grpc/grpc-js';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, lit, linearSpec, putTaskDef, taskNode, varDef, varRef, waitForWfRun, type JsonNode } from '../harness/specs.ts';

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The server's bound on AwaitWorkflowEvent calls without a deadline (set below). */
const SERVER_AWAIT_BOUND_MS = 3_000;
const DEADLINE_EXCEEDED = 4;

const throwNode = (defName: string, content: unknown): JsonNode => ({ throwEvent: { eventDefId: { name: defName }, content } });
const waitNode = (defName: string, extra: Record<string, unknown> = {}): JsonNode => ({ externalEvent: { externalEventDefId: { name: defName }, ...extra } });

describe('workflow events, correlated events and checkpoints', () => {
  let server: ServerProcess;
  let client: TestClient;
  const workers: TestWorker[] = [];

  before(async () => {
    server = await startServer({ env: { FILLY_MAX_AWAIT_WORKFLOW_EVENT_MS: String(SERVER_AWAIT_BOUND_MS) } });
    client = connect(server.address);
    await client.call.putWorkflowEventDef(PutWorkflowEventDefRequest.fromJSON({ name: 'done', contentType: { returnType: { primitiveType: 'STR' } } }));
    await client.call.putWorkflowEventDef(PutWorkflowEventDefRequest.fromJSON({ name: 'step', contentType: { returnType: { primitiveType: 'STR' } } }));
    await client.call.putExternalEventDef(PutExternalEventDefRequest.fromJSON({ name: 'go' }));
    await client.call.putExternalEventDef(PutExternalEventDefRequest.fromJSON({
      name: 'payment',
      contentType: { returnType: { primitiveType: 'STR' } },
      correlatedEventConfig: { deleteAfterFirstCorrelation: false },
    }));
    // Waits for 'go', then throws 'step' twice and 'done' once.
    await client.call.putWfSpec(linearSpec('gated', [
      ['1-go-EXTERNAL_EVENT', waitNode('go')],
      ['2-step-THROW_EVENT', throwNode('step', lit({ str: 'first' }))],
      ['3-step-THROW_EVENT', throwNode('step', lit({ str: 'second' }))],
      ['4-done-THROW_EVENT', throwNode('done', lit({ str: 'finished' }))],
    ]));
    await client.call.putWfSpec(linearSpec('pay', [
      ['1-payment-EXTERNAL_EVENT', waitNode('payment', { correlationKey: varRef('order'), maskCorrelationKey: true })],
    ], [varDef('order', 'STR', { required: true })]));
  });

  after(async () => {
    for (const w of workers) w.stop();
    client?.close();
    await server?.stop();
  });

  const go = (wfRunId: string) =>
    client.call.putExternalEvent({ wfRunId: { id: wfRunId }, externalEventDefId: { name: 'go' }, content: str('now') });
  const awaitEvent = (wfRunId: string, defs: string[], ignore: Array<[string, number]> = [], c: TestClient = client): Promise<WorkflowEvent> =>
    c.call.awaitWorkflowEvent({
      wfRunId: { id: wfRunId },
      eventDefIds: defs.map((name) => ({ name })),
      workflowEventsToIgnore: ignore.map(([name, number]) => ({ wfRunId: { id: wfRunId }, workflowEventDefId: { name }, number })),
    });

  test('a waiter is answered by an event thrown during the call, and a later call finds it stored', async () => {
    await client.call.runWf({ wfSpecName: 'gated', variables: {}, id: 'gated-1' });
    const waiting = awaitEvent('gated-1', ['done']);
    await sleep(200);
    await go('gated-1');
    const event = await waiting;
    assert.equal(event.id?.workflowEventDefId?.name, 'done');
    assert.equal(event.id?.number, 0);
    assert.deepEqual(event.content?.value, { $case: 'str', value: 'finished' });
    assert.equal(event.nodeRunId?.position, 4);
    const again = await awaitEvent('gated-1', ['done']);
    assert.deepEqual(again.id, event.id);
    const got = await client.call.getWorkflowEvent({ wfRunId: { id: 'gated-1' }, workflowEventDefId: { name: 'done' }, number: 0 });
    assert.deepEqual(got.id, event.id);
    const listed = await client.call.listWorkflowEvents({ wfRunId: { id: 'gated-1' } });
    assert.deepEqual(listed.results.map((e) => `${e.id?.workflowEventDefId?.name}/${e.id?.number}`), ['done/0', 'step/0', 'step/1']);
    assert.equal(await codeOf(client.call.getWorkflowEvent({ wfRunId: { id: 'gated-1' }, workflowEventDefId: { name: 'done' }, number: 1 })), 5);
  });

  test('WorkflowEventDefs: a WfSpec may not throw a missing one; a changed content type is refused', async () => {
    const def = await client.call.getWorkflowEventDef({ name: 'done' });
    assert.equal(def.contentType?.returnType?.definedType?.$case, 'primitiveType');
    assert.equal(await codeOf(client.call.putWfSpec(linearSpec('throws-missing', [['1-nope-THROW_EVENT', throwNode('nope', lit({ str: 'x' }))]]))), 3);
    assert.equal(await codeOf(client.call.putWorkflowEventDef(PutWorkflowEventDefRequest.fromJSON({ name: 'done', contentType: { returnType: { primitiveType: 'INT' } } }))), 6);
    await client.call.putWorkflowEventDef(PutWorkflowEventDefRequest.fromJSON({ name: 'temp' }));
    await client.call.deleteWorkflowEventDef({ id: { name: 'temp' } });
    assert.equal(await codeOf(client.call.getWorkflowEventDef({ name: 'temp' })), 5);
    assert.equal(await codeOf(client.call.deleteWorkflowEventDef({ id: { name: 'temp' } })), 5);
  });

  test('ignored events are skipped; an empty filter matches any def', async () => {
    await client.call.runWf({ wfSpecName: 'gated', variables: {}, id: 'gated-2' });
    await go('gated-2');
    await waitForWfRun(client, 'gated-2', isTerminal);
    const first = await awaitEvent('gated-2', ['step']);
    assert.equal(first.id?.number, 0);
    const next = await awaitEvent('gated-2', ['step'], [['step', 0]]);
    assert.equal(next.id?.number, 1);
    assert.deepEqual(next.content?.value, { $case: 'str', value: 'second' });
    const anyDef = await awaitEvent('gated-2', [], [['step', 0], ['step', 1]]);
    assert.equal(anyDef.id?.workflowEventDefId?.name, 'done');
  });

  test('no matching event: DEADLINE_EXCEEDED at the client deadline, or at the server bound without one', async () => {
    await client.call.runWf({ wfSpecName: 'gated', variables: {}, id: 'gated-3' });
    const short = connect(server.address, { deadlineMs: 600 });
    const started = Date.now();
    assert.equal(await codeOf(awaitEvent('gated-3', ['done'], [], short)), DEADLINE_EXCEEDED);
    const tookMs = Date.now() - started;
    assert.ok(tookMs >= 550 && tookMs < 3_000, `answered after ${tookMs} ms`);
    short.close();

    const unbounded = Date.now();
    const err = await new Promise<ServiceError | null>((resolve) => {
      client.raw.awaitWorkflowEvent({ wfRunId: { id: 'gated-3' }, eventDefIds: [{ name: 'done' }], workflowEventsToIgnore: [] }, client.metadata(), (e) => resolve(e));
    });
    const boundMs = Date.now() - unbounded;
    assert.equal(err?.code, DEADLINE_EXCEEDED);
    assert.ok(boundMs >= SERVER_AWAIT_BOUND_MS - 100 && boundMs < SERVER_AWAIT_BOUND_MS + 3_000, `answered after ${boundMs} ms`);
  });

  test('two waiters on one WfRun are both woken by one event', async () => {
    await client.call.runWf({ wfSpecName: 'gated', variables: {}, id: 'gated-4' });
    const a = awaitEvent('gated-4', ['done']);
    const b = awaitEvent('gated-4', ['done', 'step'], [['step', 0], ['step', 1]]);
    await sleep(200);
    await go('gated-4');
    const [ea, eb] = await Promise.all([a, b]);
    assert.deepEqual(ea.id, eb.id);
    assert.equal(ea.id?.workflowEventDefId?.name, 'done');
  });

  test('a correlated event reaches a WfRun already waiting, and one that arrives at its node later', async () => {
    await client.call.runWf({ wfSpecName: 'pay', variables: { order: str('order-after') }, id: 'pay-after' });
    const waitingNode = await client.call.getNodeRun({ wfRunId: { id: 'pay-after' }, threadRunNumber: 0, position: 1 });
    assert.equal(waitingNode.status, LHStatus.RUNNING);
    assert.equal(waitingNode.nodeType?.$case === 'externalEvent' ? waitingNode.nodeType.value.correlationKey : undefined, '*****');
    await sleep(100);
    await client.call.putCorrelatedEvent({ key: 'order-after', externalEventDefId: { name: 'payment' }, content: str('paid-after') });
    assert.equal((await waitForWfRun(client, 'pay-after', isTerminal)).status, LHStatus.COMPLETED);

    const early = await client.call.putCorrelatedEvent({ key: 'order-before', externalEventDefId: { name: 'payment' }, content: str('paid-before') });
    assert.deepEqual(early.externalEvents, []);
    await client.call.runWf({ wfSpecName: 'pay', variables: { order: str('order-before') }, id: 'pay-before' });
    assert.equal((await waitForWfRun(client, 'pay-before', isTerminal)).status, LHStatus.COMPLETED);
    const stored = await client.call.getCorrelatedEvent({ key: 'order-before', externalEventDefId: { name: 'payment' } });
    assert.deepEqual(stored.externalEvents.map((e) => e.wfRunId?.id), ['pay-before']);
    const [claimed] = (await client.call.listExternalEvents({ wfRunId: { id: 'pay-before' } })).results;
    assert.equal(claimed?.claimed, true);
    assert.deepEqual(claimed?.content?.value, { $case: 'str', value: 'paid-before' });

    assert.equal(await codeOf(client.call.putCorrelatedEvent({ key: 'order-before', externalEventDefId: { name: 'payment' }, content: str('x') })), 6);
    await client.call.deleteCorrelatedEvent({ id: { key: 'order-before', externalEventDefId: { name: 'payment' } } });
    assert.equal(await codeOf(client.call.getCorrelatedEvent({ key: 'order-before', externalEventDefId: { name: 'payment' } })), 5);
  });

  test('checkpoints: a stale attempt is fenced with STOP_TASK; the retry reads the checkpoint back', async () => {
    await putTaskDef(client, 'ckpt', [], 'STR');
    const seen: { first?: PutCheckpointResponse; stale?: PutCheckpointResponse; observed?: number; read?: Checkpoint } = {};
    workers.push(startTestWorker(client, 'ckpt', async (t) => {
      if (t.attemptNumber === 0) {
        seen.first = await client.call.putCheckpoint({ taskRunId: t.taskRunId, taskAttempt: 0, value: str('half way'), logs: 'first half' });
        // Outlive the 1 s timeout: the attempt times out and a retry is scheduled.
        await sleep(2_500);
        seen.stale = await client.call.putCheckpoint({ taskRunId: t.taskRunId, taskAttempt: 0, value: str('too late'), logs: undefined });
        return { kind: 'silent' };
      }
      seen.observed = t.totalObservedCheckpoints;
      seen.read = await client.call.getCheckpoint({ taskRun: t.taskRunId, checkpointNumber: 0 });
      return { kind: 'success', output: str('resumed') };
    }));
    await client.call.putWfSpec(linearSpec('resumable', [['1-ckpt-TASK', taskNode('ckpt', [], { retries: 1, timeoutSeconds: 1 })]]));
    await client.call.runWf({ wfSpecName: 'resumable', variables: {}, id: 'ckpt-1' });
    const done = await waitForWfRun(client, 'ckpt-1', isTerminal, 20_000);
    assert.equal(done.status, LHStatus.COMPLETED);
    assert.equal(seen.first?.flowControlContinueType, FlowControl.CONTINUE_TASK);
    assert.equal(seen.first?.createdCheckpoint?.id?.checkpointNumber, 0);
    assert.equal(seen.stale?.flowControlContinueType, FlowControl.STOP_TASK);
    assert.equal(seen.stale?.createdCheckpoint, undefined);
    assert.equal(seen.observed, 1);
    assert.deepEqual(seen.read?.value?.value, { $case: 'str', value: 'half way' });
    assert.equal(seen.read?.logs, 'first half');
    const [taskRun] = (await client.call.listTaskRuns({ wfRunId: { id: 'ckpt-1' } })).results;
    assert.equal(taskRun?.totalCheckpoints, 1);
    assert.equal(await codeOf(client.call.getCheckpoint({ taskRun: taskRun?.id, checkpointNumber: 1 })), 5);
  });
});
