// Parent and child WfRuns, WfRun retention and WfRun migration against a real server process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, PutExternalEventDefRequest, PutWfSpecRequest, type VariableValue } from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { isTerminal, lit, linearSpec, nodeOut, spec, varDef, varRef, waitForWfRun } from '../harness/specs.ts';

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const ENTRY = '0-entrypoint-ENTRYPOINT';

/** A WfSpec waiting for event `go` (so that it stays RUNNING until told). */
function waitingSpec(name: string, variableDefs: unknown[] = []): PutWfSpecRequest {
  return linearSpec(name, [['1-go-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'go' } } }]], variableDefs);
}

describe('child WfRuns, retention and migration', () => {
  let server: ServerProcess;
  let client: TestClient;

  before(async () => {
    server = await startServer();
    client = connect(server.address);
    await client.call.putExternalEventDef(PutExternalEventDefRequest.fromPartial({ name: 'go' }));
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('RUN_CHILD_WF then WAIT_FOR_CHILD_WF gives the parent the child output', async () => {
    await client.call.putWfSpec(spec('echo-child', {
      [ENTRY]: { entrypoint: {}, outgoingEdges: [{ sinkNodeName: '1-exit-EXIT' }] },
      '1-exit-EXIT': { exit: { returnContent: varRef('n') } },
    }, [varDef('n', 'INT')]));
    await client.call.putWfSpec(spec('runs-child', {
      [ENTRY]: { entrypoint: {}, outgoingEdges: [{ sinkNodeName: '1-run-RUN_CHILD_WF' }] },
      '1-run-RUN_CHILD_WF': {
        runChildWf: { wfSpecName: 'echo-child', majorVersion: -1, inputs: { n: lit({ int: 41 }) } },
        outgoingEdges: [{ sinkNodeName: '2-wait-WAIT_FOR_CHILD_WF' }],
      },
      '2-wait-WAIT_FOR_CHILD_WF': {
        waitForChildWf: { childWfRunId: nodeOut('1-run-RUN_CHILD_WF'), childWfRunSourceNode: '1-run-RUN_CHILD_WF' },
        outgoingEdges: [{ sinkNodeName: '3-exit-EXIT', variableMutations: [{ lhsName: 'result', operation: 'ASSIGN', nodeOutput: {} }] }],
      },
      '3-exit-EXIT': { exit: {} },
    }, [varDef('result', 'INT')]));
    await client.call.runWf({ wfSpecName: 'runs-child', variables: {}, id: 'parent-1' });
    const done = await waitForWfRun(client, 'parent-1', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    const result = await client.call.getVariable({ wfRunId: { id: 'parent-1' }, threadRunNumber: 0, name: 'result' });
    assert.equal(result.value?.value?.$case === 'int' ? result.value.value.value : undefined, 41n);
    const run = await client.call.getNodeRun({ wfRunId: { id: 'parent-1' }, threadRunNumber: 0, position: 1 });
    const childId = run.nodeType?.$case === 'runChildWf' ? run.nodeType.value.childWfRunId : undefined;
    assert.equal(childId?.parentWfRunId?.id, 'parent-1');
    if (childId === undefined) return;
    const child = await client.call.getWfRun(childId);
    assert.equal(child.status, LHStatus.COMPLETED);
    assert.equal(child.parentTrigger?.triggeringNodeRun?.position, 1);
  });

  test('a child WfRun mutates its parent variable; a bad parent is refused', async () => {
    await client.call.putWfSpec(waitingSpec('mom', [varDef('shared', 'STR', { varDef: { name: 'shared', typeDef: { primitiveType: 'STR' }, defaultValue: { str: 'before' } } })]));
    await client.call.putWfSpec(PutWfSpecRequest.fromJSON({
      ...PutWfSpecRequest.toJSON(spec('kid', {
        [ENTRY]: { entrypoint: {}, outgoingEdges: [{ sinkNodeName: '1-exit-EXIT', variableMutations: [{ lhsName: 'shared', operation: 'ASSIGN', literalValue: { str: 'from-kid' } }] }] },
        '1-exit-EXIT': { exit: {} },
      }, [varDef('shared', 'STR', { accessLevel: 'INHERITED_VAR' })])) as object,
      parentWfSpec: { wfSpecName: 'mom', wfSpecMajorVersion: 0 },
    }));
    await client.call.runWf({ wfSpecName: 'mom', variables: {}, id: 'mom-1' });
    const kid = await client.call.runWf({ wfSpecName: 'kid', variables: {}, id: 'kid-1', parentWfRunId: { id: 'mom-1' } });
    assert.equal(kid.status, LHStatus.COMPLETED);
    const shared = await client.call.getVariable({ wfRunId: { id: 'mom-1' }, threadRunNumber: 0, name: 'shared' });
    assert.equal(shared.value?.value?.$case === 'str' ? shared.value.value.value : undefined, 'from-kid');
    const stored = await client.call.getWfRun({ id: 'kid-1', parentWfRunId: { id: 'mom-1' } });
    assert.equal(stored.status, LHStatus.COMPLETED);

    assert.equal(await codeOf(client.call.runWf({ wfSpecName: 'kid', variables: {}, id: 'kid-2', parentWfRunId: { id: 'no-such-mom' } })), 9);
    assert.equal(await codeOf(client.call.runWf({ wfSpecName: 'kid', variables: {}, id: 'kid-3' })), 3);
    assert.equal(await codeOf(client.call.runWf({ wfSpecName: 'mom', variables: {}, id: 'mom-2', parentWfRunId: { id: 'mom-1' } })), 3);
  });

  test('retention deletes a completed WfRun after its seconds_after_wf_termination', async () => {
    const req = linearSpec('short-lived', []);
    req.retentionPolicy = { wfGcPolicy: { $case: 'secondsAfterWfTermination', value: 1n } };
    await client.call.putWfSpec(req);
    const run = await client.call.runWf({ wfSpecName: 'short-lived', variables: {}, id: 'ephemeral-1' });
    assert.equal(run.status, LHStatus.COMPLETED);
    assert.equal((await client.call.getWfRun({ id: 'ephemeral-1' })).status, LHStatus.COMPLETED);
    const deadline = Date.now() + 6_000;
    let code = 0;
    while (Date.now() < deadline && code !== 5) {
      await new Promise((r) => setTimeout(r, 100));
      code = (await codeOf(client.call.getWfRun({ id: 'ephemeral-1' }))) ?? 0;
    }
    assert.equal(code, 5, 'the WfRun is gone (NOT_FOUND)');
  });

  test('a migration moves a WfRun waiting at an EXTERNAL_EVENT to a new version, which then completes', async () => {
    await client.call.putWfSpec(waitingSpec('evolving'));
    const v1 = linearSpec('evolving', [
      ['1-go-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'go' } } }],
      ['2-also-NOP', { nop: {} }],
    ]);
    const v1Spec = await client.call.putWfSpec(v1);
    // Only nodes changed: a new revision of major version 0.
    assert.deepEqual([v1Spec.id?.majorVersion, v1Spec.id?.revision], [0, 1]);
    await client.call.runWf({ wfSpecName: 'evolving', majorVersion: 0, revision: 0, variables: {}, id: 'mover-1' });
    const plan = await client.call.putWorkflowMigrationPlan({
      name: 'evolving-0-to-1',
      oldWfSpec: { name: 'evolving', majorVersion: 0, revision: 0 },
      majorVersion: 0,
      revision: 1,
      threadMigrations: { entrypoint: { newThreadName: 'entrypoint', nodeMigrations: { '1-go-EXTERNAL_EVENT': { newNodeName: '1-go-EXTERNAL_EVENT' } } } },
    });
    assert.equal(plan.workflowMigrationPlanId?.name, 'evolving-0-to-1');
    assert.equal((await client.call.getWorkflowMigrationPlan({ name: 'evolving-0-to-1' })).revision, 1);
    const migrated = await client.call.applyWorkflowMigrationPlan({ id: { name: 'evolving-0-to-1' }, wfRunId: { id: 'mover-1' }, migrationVarsByThread: {} });
    assert.equal(migrated.wfSpecId?.revision, 1);
    assert.equal(migrated.oldWfSpecVersions[0]?.revision, 0);
    await client.call.putExternalEvent({ wfRunId: { id: 'mover-1' }, externalEventDefId: { name: 'go' }, content: str('now') });
    const done = await waitForWfRun(client, 'mover-1', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    const nodes = await client.call.listNodeRuns({ wfRunId: { id: 'mover-1' } });
    assert.deepEqual(nodes.results.map((n) => n.nodeName), [ENTRY, '1-go-EXTERNAL_EVENT', '1-go-EXTERNAL_EVENT', '2-also-NOP', '3-exit-EXIT']);
    assert.equal(await codeOf(client.call.applyWorkflowMigrationPlan({ id: { name: 'evolving-0-to-1' }, wfRunId: { id: 'mover-1' }, migrationVarsByThread: {} })), 9);
  });
});
