// User tasks end to end against a real server: forms, assignment, completion, cancellation,
// comments, deadline reassignment and reminder tasks run by a worker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, PutUserTaskDefRequest, TaskStatus, UserTaskRunStatus, type UserTaskRun, type UserTaskRunId, type VariableValue } from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, lit, nodeOut, putTaskDef, spec, varDef, waitForWfRun, type JsonNode } from '../harness/specs.ts';

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const bool = (b: boolean): VariableValue => ({ value: { $case: 'bool', value: b } });
const UT = '1-approve-USER_TASK';

/** entrypoint → USER_TASK (its output stored in `form`) → exit. */
function userTaskSpec(name: string, userTask: Record<string, unknown>): ReturnType<typeof spec> {
  const nodes: Record<string, JsonNode> = {
    '0-entrypoint-ENTRYPOINT': { entrypoint: {}, outgoingEdges: [{ sinkNodeName: UT }] },
    [UT]: {
      userTask: { userTaskDefName: 'approval', ...userTask },
      outgoingEdges: [{ sinkNodeName: '2-exit-EXIT', variableMutations: [{ lhsName: 'form', operation: 'ASSIGN', rhsAssignment: nodeOut(UT) }] }],
    },
    '2-exit-EXIT': { exit: {} },
  };
  return spec(name, nodes, [varDef('form', 'JSON_OBJ')]);
}

async function waitFor<T>(what: string, read: () => Promise<T>, until: (t: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (until(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms; last: ${JSON.stringify(last, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
}

describe('user tasks on an embedded server', () => {
  let server: ServerProcess;
  let client: TestClient;
  const workers: TestWorker[] = [];

  const runAndGetUtr = async (wfSpecName: string, id: string): Promise<UserTaskRun> => {
    await client.call.runWf({ wfSpecName, variables: {}, id });
    const list = await waitFor('UserTaskRun creation', () => client.call.listUserTaskRuns({ wfRunId: { id } }), (l) => l.results.length === 1);
    const utr = list.results[0];
    assert.ok(utr);
    return utr;
  };
  const getUtr = (id: UserTaskRunId | undefined): Promise<UserTaskRun> => {
    assert.ok(id);
    return client.call.getUserTaskRun(id);
  };

  before(async () => {
    server = await startServer();
    client = connect(server.address);
    const def = await client.call.putUserTaskDef(PutUserTaskDefRequest.fromJSON({
      name: 'approval',
      fields: [
        { name: 'approved', type: 'BOOL', displayName: 'Approved?', required: true },
        { name: 'note', type: 'STR', displayName: 'Note' },
      ],
    }));
    assert.equal(def.version, 0);
    await putTaskDef(client, 'remind');
    await client.call.putWfSpec(userTaskSpec('ut-user', { userId: lit({ str: 'alice' }) }));
    await client.call.putWfSpec(userTaskSpec('ut-group', { userGroup: lit({ str: 'ops' }) }));
    await client.call.putWfSpec(userTaskSpec('ut-reassign', {
      userId: lit({ str: 'alice' }),
      userGroup: lit({ str: 'ops' }),
      actions: [{ reassign: { userGroup: lit({ str: 'ops' }) }, delaySeconds: lit({ int: 1 }), hook: 'ON_ARRIVAL' }],
    }));
    await client.call.putWfSpec(userTaskSpec('ut-remind', {
      userId: lit({ str: 'alice' }),
      actions: [{ task: { task: { taskDefId: { name: 'remind' } } }, delaySeconds: lit({ int: 0 }), hook: 'ON_ARRIVAL' }],
    }));
  });

  after(async () => {
    for (const w of workers) w.stop();
    client?.close();
    await server?.stop();
  });

  test('UserTaskDefs are versioned and readable; PutWfSpec pins the version', async () => {
    const again = await client.call.putUserTaskDef(PutUserTaskDefRequest.fromJSON({
      name: 'approval',
      fields: [
        { name: 'approved', type: 'BOOL', displayName: 'Approved?', required: true },
        { name: 'note', type: 'STR', displayName: 'Note' },
      ],
    }));
    assert.equal(again.version, 0);
    assert.equal((await client.call.getLatestUserTaskDef({ name: 'approval' })).fields.length, 2);
    assert.equal((await client.call.getUserTaskDef({ name: 'approval', version: 0 })).name, 'approval');
    assert.equal(await codeOf(client.call.getUserTaskDef({ name: 'approval', version: 9 })), 5);
    assert.equal(await codeOf(client.call.putUserTaskDef(PutUserTaskDefRequest.fromJSON({ name: 'bad_name' }))), 3);
    const wf = await client.call.getLatestWfSpec({ name: 'ut-user' });
    const node = wf.threadSpecs['entrypoint']?.nodes[UT]?.node;
    assert.equal(node?.$case === 'userTask' ? node.value.userTaskDefVersion : undefined, 0);
    assert.equal(await codeOf(client.call.putWfSpec(userTaskSpec('ut-bad', { userTaskDefName: 'nope', userId: lit({ str: 'x' }) }))), 3);
  });

  test('a completed user task puts its results in a variable; completing twice changes nothing', async () => {
    const utr = await runAndGetUtr('ut-user', 'ut-complete-1');
    assert.equal(utr.status, UserTaskRunStatus.ASSIGNED);
    assert.equal(utr.userId, 'alice');
    const req = { userTaskRunId: utr.id, userId: 'alice', results: { approved: bool(true), note: str('ok') } };
    assert.equal(await codeOf(client.call.completeUserTaskRun({ ...req, results: { approved: str('yes') } })), 3);
    assert.equal(await codeOf(client.call.completeUserTaskRun({ ...req, results: { note: str('no decision') } })), 3);
    await client.call.completeUserTaskRun(req);
    const done = await waitForWfRun(client, 'ut-complete-1', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    const form = await client.call.getVariable({ wfRunId: { id: 'ut-complete-1' }, threadRunNumber: 0, name: 'form' });
    const json = form.value?.value;
    assert.equal(json?.$case, 'jsonObj');
    assert.deepEqual(JSON.parse(json?.$case === 'jsonObj' ? json.value : '{}'), { approved: true, note: 'ok' });
    assert.equal((await getUtr(utr.id)).status, UserTaskRunStatus.DONE);
    await client.call.completeUserTaskRun({ ...req, results: { approved: bool(false), note: str('late') } });
    const after = await getUtr(utr.id);
    assert.equal(after.status, UserTaskRunStatus.DONE);
    assert.deepEqual(after.results['note'], str('ok'), 'a late completion does not overwrite the results');
  });

  test('cancelling a user task fails the WfRun with USER_TASK_CANCELLED', async () => {
    const utr = await runAndGetUtr('ut-user', 'ut-cancel-1');
    await client.call.cancelUserTaskRun({ userTaskRunId: utr.id });
    const done = await waitForWfRun(client, 'ut-cancel-1', isTerminal);
    assert.equal(done.status, LHStatus.ERROR);
    const nodeRun = await client.call.getNodeRun({ wfRunId: { id: 'ut-cancel-1' }, threadRunNumber: 0, position: 1 });
    assert.equal(nodeRun.failures[0]?.failureName, 'USER_TASK_CANCELLED');
    assert.equal((await getUtr(utr.id)).status, UserTaskRunStatus.CANCELLED);
  });

  test('assignment follows the claim rules', async () => {
    const utr = await runAndGetUtr('ut-group', 'ut-assign-1');
    assert.equal(utr.status, UserTaskRunStatus.UNASSIGNED);
    const assign = (userId: string | undefined, overrideClaim: boolean) =>
      client.call.assignUserTaskRun({ userTaskRunId: utr.id, overrideClaim, userId, userGroup: undefined });
    assert.equal(await codeOf(assign('', false)), 3);
    await assign('bob', false);
    assert.equal((await getUtr(utr.id)).status, UserTaskRunStatus.ASSIGNED);
    assert.equal(await codeOf(assign('carol', false)), 9);
    await assign('carol', true);
    assert.equal((await getUtr(utr.id)).userId, 'carol');
  });

  test('comments can be added, edited and deleted once', async () => {
    const utr = await runAndGetUtr('ut-user', 'ut-comment-1');
    const added = await client.call.putUserTaskRunComment({ userTaskRunId: utr.id, userId: 'alice', comment: 'looking' });
    const ev = added.events.at(-1)?.event;
    assert.equal(ev?.$case === 'commentAdded' ? ev.value.userCommentId : undefined, 1);
    const edited = await client.call.editUserTaskRunComment({ userTaskRunId: utr.id, userCommentId: 1, userId: 'alice', comment: 'done looking' });
    assert.equal(edited.events.at(-1)?.event?.$case, 'commentEdited');
    await client.call.deleteUserTaskRunComment({ userTaskRunId: utr.id, userCommentId: 1, userId: 'alice' });
    assert.equal(await codeOf(client.call.editUserTaskRunComment({ userTaskRunId: utr.id, userCommentId: 1, userId: 'alice', comment: 'x' })), 9);
    assert.equal(await codeOf(client.call.deleteUserTaskRunComment({ userTaskRunId: utr.id, userCommentId: 7, userId: 'alice' })), 5);
    assert.deepEqual((await getUtr(utr.id)).events.map((e) => e.event?.$case), ['assigned', 'commentAdded', 'commentEdited', 'commentDeleted']);
  });

  test('a REASSIGN action releases the task to its group after one second', async () => {
    const started = Date.now();
    const utr = await runAndGetUtr('ut-reassign', 'ut-reassign-1');
    assert.equal(utr.status, UserTaskRunStatus.ASSIGNED);
    const released = await waitFor('deadline reassignment', () => getUtr(utr.id), (u) => u.status === UserTaskRunStatus.UNASSIGNED, 5_000);
    assert.ok(Date.now() - started >= 900, 'released before its delay');
    assert.equal(released.userId, undefined);
    assert.equal(released.userGroup, 'ops');
  });

  test('a reminder TASK action is executed by a worker and logged on the UserTaskRun', async () => {
    const worker = startTestWorker(client, 'remind', () => ({ kind: 'success' }));
    workers.push(worker);
    const utr = await runAndGetUtr('ut-remind', 'ut-remind-1');
    const logged = await waitFor('reminder', () => getUtr(utr.id), (u) => u.events.some((e) => e.event?.$case === 'taskExecuted'));
    const executed = logged.events.find((e) => e.event?.$case === 'taskExecuted')?.event;
    const taskRunId = executed?.$case === 'taskExecuted' ? executed.value.taskRun : undefined;
    assert.ok(taskRunId);
    const taskRun = await waitFor('reminder execution', () => client.call.getTaskRun(taskRunId), (t) => t.status === TaskStatus.TASK_SUCCESS);
    const src = taskRun.source?.taskRunSource;
    assert.equal(src?.$case, 'userTaskTrigger');
    assert.equal(src?.$case === 'userTaskTrigger' ? src.value.userId : undefined, 'alice');
    assert.equal(worker.received.length, 1);
    assert.equal((await client.call.getWfRun({ id: 'ut-remind-1', parentWfRunId: undefined })).status, LHStatus.RUNNING);
  });
});
