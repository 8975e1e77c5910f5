// The searches over WfRun data (TaskRuns, NodeRuns, Variables, UserTaskRuns, ExternalEvents,
// WorkflowEvents, CorrelatedEvents) and over UserTaskDefs, StructDefs and WorkflowEventDefs, on a
// server with many partitions: filters, order, paging with small pages, deletes, bad requests,
// and the indexes after kill -9 and a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LHStatus,
  PutExternalEventDefRequest,
  PutStructDefRequest,
  PutUserTaskDefRequest,
  PutWorkflowEventDefRequest,
  TaskStatus,
  UserTaskRunStatus,
  type UserTaskRunId,
  type VariableValue,
} from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, linearSpec, lit, putTaskDef, taskNode, varDef, varRef, waitForWfRun, type JsonNode } from '../harness/specs.ts';
import { partitionForKey } from '../../packages/server/src/commands/partition.ts';

const PARTITIONS = 8;
const INVALID_ARGUMENT = 3;
const int = (n: number): VariableValue => ({ value: { $case: 'int', value: BigInt(n) } });
const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const json = (o: unknown): VariableValue => ({ value: { $case: 'jsonObj', value: JSON.stringify(o) } });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Page<R> {
  results: R[];
  bookmark?: Buffer | undefined;
}

/** Every result of a search, page by page, checking that each page respects the limit. */
async function everything<R>(search: (bookmark: Buffer | undefined) => Promise<Page<R>>, limit?: number): Promise<R[]> {
  const out: R[] = [];
  let bookmark: Buffer | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await search(bookmark);
    if (limit !== undefined) assert.ok(res.results.length <= limit, `a page of ${res.results.length} exceeds the limit ${limit}`);
    out.push(...res.results);
    bookmark = res.bookmark;
    if (bookmark === undefined) return out;
  }
  throw new Error('more than 100 pages');
}

async function until<T>(what: string, read: () => Promise<T>, ok: (t: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await sleep(25);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms; last: ${JSON.stringify(last, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
}

const sorted = (ids: string[]): string[] => [...ids].sort();

describe('searches over WfRun data and metadata', () => {
  let server: ServerProcess;
  let client: TestClient;
  const workers: TestWorker[] = [];

  const taskRunIds = async (req: { status?: TaskStatus; earliestStart?: { seconds: bigint; nanos: number } }, limit?: number): Promise<string[]> =>
    (await everything((bookmark) => client.call.searchTaskRun({ taskDefName: 'work', ...req, bookmark, limit }), limit)).map((r) => r.wfRunId?.id ?? '?');
  const variableIds = async (varName: string, value: VariableValue, extra: Record<string, number> = {}): Promise<string[]> =>
    (await everything((bookmark) => client.call.searchVariable({ wfSpecName: 'tasks', varName, value, bookmark, limit: 2, ...extra }), 2)).map(
      (r) => r.wfRunId?.id ?? '?',
    );
  const nodeRunIds = async (status: LHStatus): Promise<string[]> =>
    (await everything((bookmark) => client.call.searchNodeRun({ externalEventDef: { name: 'go' }, status, bookmark, limit: 1 }), 1)).map(
      (r) => `${r.wfRunId?.id}/${r.position}`,
    );
  const externalEventIds = async (isClaimed?: boolean): Promise<string[]> =>
    (await everything((bookmark) => client.call.searchExternalEvent({ externalEventDefId: { name: 'go' }, isClaimed, bookmark, limit: 1 }), 1)).map(
      (r) => r.wfRunId?.id ?? '?',
    );
  const workflowEventIds = async (): Promise<string[]> =>
    (await everything((bookmark) => client.call.searchWorkflowEvent({ workflowEventDefId: { name: 'done' }, bookmark, limit: 1 }), 1)).map(
      (r) => r.wfRunId?.id ?? '?',
    );
  const userTaskRunIds = async (req: { status?: UserTaskRunStatus; userId?: string; userGroup?: string; userTaskDefName?: string }): Promise<string[]> =>
    (await everything((bookmark) => client.call.searchUserTaskRun({ ...req, bookmark, limit: 1 }), 1)).map((r) => r.wfRunId?.id ?? '?');
  const correlatedKeys = async (hasExternalEvents?: boolean): Promise<string[]> =>
    (await everything((bookmark) => client.call.searchCorrelatedEvent({ externalEventDefId: { name: 'pay' }, hasExternalEvents, bookmark, limit: 1 }), 1)).map(
      (r) => r.key,
    );

  before(async () => {
    server = await startServer({ env: { LHS_CLUSTER_PARTITIONS: String(PARTITIONS) } });
    client = connect(server.address);
    await putTaskDef(client, 'work');
    await client.call.putExternalEventDef(PutExternalEventDefRequest.fromJSON({ name: 'go' }));
    await client.call.putExternalEventDef(PutExternalEventDefRequest.fromJSON({
      name: 'pay',
      contentType: { returnType: { primitiveType: 'STR' } },
      correlatedEventConfig: { deleteAfterFirstCorrelation: false },
    }));
    await client.call.putWorkflowEventDef(PutWorkflowEventDefRequest.fromJSON({ name: 'done', contentType: { returnType: { primitiveType: 'STR' } } }));
    await client.call.putUserTaskDef(PutUserTaskDefRequest.fromJSON({ name: 'approval', fields: [{ name: 'ok', type: 'BOOL', displayName: 'OK?', required: true }] }));
    await client.call.putWfSpec(linearSpec('tasks', [['1-work-TASK', taskNode('work')]], [
      varDef('n', 'INT', { searchable: true }),
      varDef('tag', 'STR', { searchable: true }),
      varDef('plain', 'STR'),
      varDef('doc', 'JSON_OBJ', { jsonIndexes: [{ fieldPath: '$.kind', fieldType: 'STR' }] }),
    ]));
    const waitGo: JsonNode = { externalEvent: { externalEventDefId: { name: 'go' } } };
    const throwDone: JsonNode = { throwEvent: { eventDefId: { name: 'done' }, content: lit({ str: 'finished' }) } };
    await client.call.putWfSpec(linearSpec('waits', [['1-go-EXTERNAL_EVENT', waitGo], ['2-done-THROW_EVENT', throwDone]]));
    await client.call.putWfSpec(linearSpec('approve', [
      ['1-approve-USER_TASK', { userTask: { userTaskDefName: 'approval', userGroup: lit({ str: 'ops' }) } }],
    ]));
    await client.call.putWfSpec(linearSpec('pay', [
      ['1-pay-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'pay' }, correlationKey: varRef('order') } }],
    ], [varDef('order', 'STR', { required: true })]));
  });

  after(async () => {
    for (const w of workers) w.stop();
    client?.close();
    await server?.stop();
  });

  test('SearchTaskRun by TaskDef and status, in partition then time order, across small pages', async () => {
    const startMs = Date.now();
    for (let i = 0; i < 6; i++) {
      await client.call.runWf({ wfSpecName: 'tasks', id: `t-${i}`, variables: { n: int(i % 3), tag: str(i < 3 ? 'x' : 'y'), plain: str('p'), doc: json({ kind: i % 2 === 0 ? 'even' : 'odd' }) } });
    }
    assert.deepEqual(sorted(await taskRunIds({ status: TaskStatus.TASK_SCHEDULED })), ['t-0', 't-1', 't-2', 't-3', 't-4', 't-5']);
    workers.push(startTestWorker(client, 'work', (task) => (['t-1', 't-3'].includes(task.taskRunId?.wfRunId?.id ?? '') ? { kind: 'failed', message: 'no' } : { kind: 'success' }), { credits: 2 }));
    for (let i = 0; i < 6; i++) await waitForWfRun(client, `t-${i}`, isTerminal);

    const all = await taskRunIds({}, 2);
    assert.deepEqual(sorted(all), ['t-0', 't-1', 't-2', 't-3', 't-4', 't-5'], 'pages of 2 return each TaskRun once');
    const partitions = all.map((id) => partitionForKey(id, PARTITIONS));
    assert.deepEqual(partitions, [...partitions].sort((a, b) => a - b), 'results come partition by partition');
    assert.deepEqual(sorted(await taskRunIds({ status: TaskStatus.TASK_SUCCESS })), ['t-0', 't-2', 't-4', 't-5']);
    assert.deepEqual(sorted(await taskRunIds({ status: TaskStatus.TASK_FAILED })), ['t-1', 't-3']);
    assert.deepEqual(await taskRunIds({ status: TaskStatus.TASK_SCHEDULED }), []);
    assert.deepEqual(await taskRunIds({ earliestStart: { seconds: BigInt(Math.floor(startMs / 1000) + 3600), nanos: 0 } }), []);
    const page = await client.call.searchTaskRun({ taskDefName: 'work', limit: 4 });
    assert.equal(page.results.length, 4);
    assert.ok(page.bookmark !== undefined);

    assert.equal(await codeOf(client.call.searchTaskRun({ taskDefName: '' })), INVALID_ARGUMENT);
    assert.equal(await codeOf(client.call.searchTaskRun({ taskDefName: 'work', bookmark: Buffer.from('garbage') })), INVALID_ARGUMENT);
    const foreign = await client.call.searchTaskRun({ taskDefName: 'work', limit: 1 });
    assert.equal(await codeOf(client.call.searchTaskRun({ taskDefName: 'other', bookmark: foreign.bookmark })), INVALID_ARGUMENT, 'a bookmark of another search');
  });

  test('SearchVariable by value of searchable variables and JSON indexes', async () => {
    assert.deepEqual(sorted(await variableIds('n', int(1))), ['t-1', 't-4']);
    assert.deepEqual(sorted(await variableIds('tag', str('x'))), ['t-0', 't-1', 't-2']);
    assert.deepEqual(sorted(await variableIds('doc_$.kind', str('odd'))), ['t-1', 't-3', 't-5']);
    assert.deepEqual(sorted(await variableIds('n', int(2), { wfSpecMajorVersion: 0, wfSpecRevision: 0 })), ['t-2', 't-5']);
    assert.deepEqual(await variableIds('n', int(7)), []);

    const bad = (req: Record<string, unknown>): Promise<number | undefined> =>
      codeOf(client.call.searchVariable({ wfSpecName: 'tasks', varName: 'n', value: int(1), ...req }));
    assert.equal(await bad({ varName: 'plain', value: str('p') }), INVALID_ARGUMENT, 'not searchable');
    assert.equal(await bad({ varName: 'nope' }), INVALID_ARGUMENT, 'no such variable');
    assert.equal(await bad({ wfSpecName: '' }), INVALID_ARGUMENT, 'no WfSpec name');
    assert.equal(await bad({ wfSpecName: 'missing' }), INVALID_ARGUMENT, 'no such WfSpec');
    assert.equal(await bad({ value: str('one') }), INVALID_ARGUMENT, 'wrong type');
    assert.equal(await bad({ wfSpecMajorVersion: 0 }), INVALID_ARGUMENT, 'major version without revision');
    assert.equal(await bad({ varName: 'doc_$.color', value: str('red') }), INVALID_ARGUMENT, 'no such JSON index');
    const message = await client.call.searchVariable({ wfSpecName: 'tasks', varName: 'plain', value: str('p') }).catch((e: Error) => e.message);
    assert.match(String(message), /Provided variable has no index/);
  });

  test('SearchNodeRun, SearchExternalEvent and SearchWorkflowEvent follow events being claimed', async () => {
    for (let i = 0; i < 4; i++) await client.call.runWf({ wfSpecName: 'waits', id: `w-${i}`, variables: {} });
    assert.deepEqual(sorted(await nodeRunIds(LHStatus.RUNNING)), ['w-0/1', 'w-1/1', 'w-2/1', 'w-3/1']);
    await client.call.putExternalEvent({ wfRunId: { id: 'w-0' }, externalEventDefId: { name: 'go' }, content: str('a') });
    await client.call.putExternalEvent({ wfRunId: { id: 'w-1' }, externalEventDefId: { name: 'go' }, content: str('b') });
    await client.call.putExternalEvent({ wfRunId: { id: 'ghost' }, externalEventDefId: { name: 'go' }, content: str('c'), guid: 'ghost-event' });
    await waitForWfRun(client, 'w-0', isTerminal);
    await waitForWfRun(client, 'w-1', isTerminal);

    assert.deepEqual(sorted(await nodeRunIds(LHStatus.RUNNING)), ['w-2/1', 'w-3/1']);
    assert.deepEqual(sorted(await nodeRunIds(LHStatus.COMPLETED)), ['w-0/1', 'w-1/1']);
    assert.deepEqual(sorted(await externalEventIds()), ['ghost', 'w-0', 'w-1']);
    assert.deepEqual(sorted(await externalEventIds(true)), ['w-0', 'w-1']);
    assert.deepEqual(await externalEventIds(false), ['ghost']);
    assert.deepEqual(sorted(await workflowEventIds()), ['w-0', 'w-1']);

    assert.equal(await codeOf(client.call.searchNodeRun({ status: LHStatus.RUNNING })), INVALID_ARGUMENT);
    assert.equal(await codeOf(client.call.searchExternalEvent({})), INVALID_ARGUMENT);
    assert.equal(await codeOf(client.call.searchExternalEvent({ externalEventDefId: { name: 'nope' } })), INVALID_ARGUMENT);
    assert.equal(await codeOf(client.call.searchWorkflowEvent({ workflowEventDefId: { name: 'nope' } })), INVALID_ARGUMENT);
    assert.equal(await codeOf(client.call.searchWorkflowEvent({ workflowEventDefId: { name: 'done' }, bookmark: Buffer.from('{"p":99,"k":null}') })), INVALID_ARGUMENT);
  });

  test('SearchUserTaskRun combines user, group, def and status', async () => {
    const utrIds: UserTaskRunId[] = [];
    for (let i = 0; i < 4; i++) {
      await client.call.runWf({ wfSpecName: 'approve', id: `u-${i}`, variables: {} });
      const list = await until('UserTaskRun creation', () => client.call.listUserTaskRuns({ wfRunId: { id: `u-${i}` } }), (l) => l.results.length === 1);
      utrIds.push(list.results[0]?.id ?? assert.fail('no UserTaskRun'));
    }
    await client.call.assignUserTaskRun({ userTaskRunId: utrIds[0], overrideClaim: false, userId: 'alice', userGroup: 'ops' });
    await client.call.assignUserTaskRun({ userTaskRunId: utrIds[1], overrideClaim: false, userId: 'bob', userGroup: undefined });

    assert.deepEqual(await userTaskRunIds({ userId: 'alice' }), ['u-0']);
    assert.deepEqual(sorted(await userTaskRunIds({ userGroup: 'ops' })), ['u-0', 'u-2', 'u-3']);
    assert.deepEqual(sorted(await userTaskRunIds({ userGroup: 'ops', status: UserTaskRunStatus.UNASSIGNED })), ['u-2', 'u-3']);
    assert.deepEqual(sorted(await userTaskRunIds({ status: UserTaskRunStatus.ASSIGNED })), ['u-0', 'u-1']);
    assert.deepEqual(sorted(await userTaskRunIds({ userTaskDefName: 'approval' })), ['u-0', 'u-1', 'u-2', 'u-3']);
    assert.deepEqual(await userTaskRunIds({ userId: 'bob', userGroup: 'ops' }), []);

    await client.call.completeUserTaskRun({ userTaskRunId: utrIds[0], userId: 'alice', results: { ok: { value: { $case: 'bool', value: true } } } });
    await waitForWfRun(client, 'u-0', isTerminal);
    assert.deepEqual(await userTaskRunIds({ userId: 'alice', status: UserTaskRunStatus.ASSIGNED }), []);
    assert.deepEqual(await userTaskRunIds({ userId: 'alice', status: UserTaskRunStatus.DONE }), ['u-0']);
    assert.equal(await codeOf(client.call.searchUserTaskRun({})), INVALID_ARGUMENT);
  });

  test('SearchCorrelatedEvent by def and whether events were produced', async () => {
    await client.call.putCorrelatedEvent({ key: 'k1', externalEventDefId: { name: 'pay' }, content: str('paid') });
    await client.call.putCorrelatedEvent({ key: 'k2', externalEventDefId: { name: 'pay' }, content: str('paid') });
    assert.deepEqual(sorted(await correlatedKeys(false)), ['k1', 'k2']);
    await client.call.runWf({ wfSpecName: 'pay', id: 'p-1', variables: { order: str('k1') } });
    await waitForWfRun(client, 'p-1', isTerminal);
    assert.deepEqual(sorted(await correlatedKeys()), ['k1', 'k2']);
    assert.deepEqual(await correlatedKeys(true), ['k1']);
    assert.deepEqual(await correlatedKeys(false), ['k2']);
    await client.call.deleteCorrelatedEvent({ id: { key: 'k2', externalEventDefId: { name: 'pay' } } });
    assert.deepEqual(await correlatedKeys(), ['k1']);
    assert.equal(await codeOf(client.call.searchCorrelatedEvent({})), INVALID_ARGUMENT);
  });

  test('SearchUserTaskDef, SearchStructDef and SearchWorkflowEventDef scan metadata by name and prefix', async () => {
    await client.call.putUserTaskDef(PutUserTaskDefRequest.fromJSON({ name: 'approval', fields: [{ name: 'why', type: 'STR', displayName: 'Why' }] }));
    await client.call.putUserTaskDef(PutUserTaskDefRequest.fromJSON({ name: 'review', fields: [{ name: 'ok', type: 'BOOL', displayName: 'OK' }] }));
    const byName = await client.call.searchUserTaskDef({ userTaskDefCriteria: { $case: 'name', value: 'approval' } });
    assert.deepEqual(byName.results.map((r) => `${r.name}@${r.version}`), ['approval@0', 'approval@1']);
    const byPrefix = await client.call.searchUserTaskDef({ userTaskDefCriteria: { $case: 'prefix', value: 'rev' } });
    assert.deepEqual(byPrefix.results.map((r) => r.name), ['review']);
    const allDefs = await everything((bookmark) => client.call.searchUserTaskDef({ bookmark, limit: 1 }), 1);
    assert.deepEqual(allDefs.map((r) => `${r.name}@${r.version}`), ['approval@0', 'approval@1', 'review@0']);

    const schema = { fields: { name: { fieldType: { primitiveType: 'STR' } } } };
    await client.call.putStructDef(PutStructDefRequest.fromJSON({ name: 'car', structDef: schema }));
    await client.call.putStructDef(PutStructDefRequest.fromJSON({ name: 'cart', structDef: schema }));
    const cars = await client.call.searchStructDef({ structDefCriteria: { $case: 'name', value: 'car' } });
    assert.deepEqual(cars.results.map((r) => r.name), ['car']);
    const carPrefix = await client.call.searchStructDef({ structDefCriteria: { $case: 'prefix', value: 'car' } });
    assert.deepEqual(carPrefix.results.map((r) => r.name), ['car', 'cart']);

    const events = await client.call.searchWorkflowEventDef({ prefix: 'do' });
    assert.deepEqual(events.results.map((r) => r.name), ['done']);
    assert.deepEqual((await client.call.searchWorkflowEventDef({})).results.map((r) => r.name), ['done']);
    assert.equal(await codeOf(client.call.searchStructDef({ bookmark: Buffer.from('m/elsewhere') })), INVALID_ARGUMENT);
  });

  test('deleting WfRuns and events removes their entries; kill -9 and restart keep the indexes', async () => {
    await client.call.deleteWfRun({ id: { id: 't-1' } });
    await client.call.deleteWfRun({ id: { id: 'w-0' } });
    await client.call.deleteWfRun({ id: { id: 'u-0' } });

    const check = async (extraT1: string[]): Promise<void> => {
      assert.deepEqual(sorted(await taskRunIds({})), sorted(['t-0', 't-2', 't-3', 't-4', 't-5', ...extraT1]));
      assert.deepEqual(sorted(await variableIds('n', int(1))), sorted(['t-4', ...extraT1]));
      assert.deepEqual(sorted(await variableIds('doc_$.kind', str('odd'))), ['t-3', 't-5']);
      assert.deepEqual(sorted(await nodeRunIds(LHStatus.COMPLETED)), ['w-1/1']);
      assert.deepEqual(sorted(await externalEventIds()), ['ghost', 'w-1']);
      assert.deepEqual(await externalEventIds(false), ['ghost']);
      assert.deepEqual(await workflowEventIds(), ['w-1']);
      assert.deepEqual(await userTaskRunIds({ userId: 'alice' }), []);
      assert.deepEqual(sorted(await userTaskRunIds({ userTaskDefName: 'approval' })), ['u-1', 'u-2', 'u-3']);
      assert.deepEqual(await correlatedKeys(), ['k1']);
    };
    await check([]);
    // Writes just before the crash must come back too (replayed from the log).
    await client.call.runWf({ wfSpecName: 'tasks', id: 't-9', variables: { n: int(1), tag: str('z'), plain: str('p'), doc: json({}) } });
    await server.kill9();
    await server.restart();
    client.close();
    client = connect(server.address);
    await check(['t-9']);
  });
});
