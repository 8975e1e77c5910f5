// SearchWfRun over the search index: by WfSpec, status, version, start time, variable value and
// parent, paged with bookmarks, consistent after a delete and after a crash.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, VariableValue } from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { linearSpec, varDef } from '../harness/specs.ts';

let server: ServerProcess | undefined;
const clients: TestClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

const int = (n: number): VariableValue => ({ value: { $case: 'int', value: BigInt(n) } });

async function allIds(client: TestClient, req: Parameters<TestClient['call']['searchWfRun']>[0]): Promise<string[]> {
  const ids: string[] = [];
  let bookmark: Buffer | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await client.call.searchWfRun({ ...req, bookmark });
    ids.push(...res.results.map((r) => r.id));
    bookmark = res.bookmark;
    if (bookmark === undefined) return ids;
  }
  throw new Error('more than 50 pages');
}

test('SearchWfRun finds WfRuns by spec, status, version, time and variable, across pages and a crash', async () => {
  server = await startServer();
  const client = connect(server.address);
  clients.push(client);
  await client.call.putExternalEventDef({ name: 'never', retentionPolicy: undefined, contentType: undefined, correlatedEventConfig: undefined });
  await client.call.putWfSpec(linearSpec('quick', [], [varDef('n', 'INT')]));
  await client.call.putWfSpec(linearSpec('waiting', [['1-never-EXTERNAL_EVENT', { externalEvent: { externalEventDefId: { name: 'never' } } }]], [varDef('n', 'INT')]));
  const beforeMs = Date.now();
  for (let i = 0; i < 3; i++) await client.call.runWf({ wfSpecName: 'quick', id: `quick-${i}`, variables: { n: int(i) } });
  for (let i = 0; i < 4; i++) await client.call.runWf({ wfSpecName: 'waiting', id: `wait-${i}`, variables: { n: int(i) } });

  assert.deepEqual((await allIds(client, { wfSpecName: 'waiting', variableFilters: [] })).sort(), ['wait-0', 'wait-1', 'wait-2', 'wait-3']);
  assert.deepEqual((await allIds(client, { wfSpecName: 'quick', status: LHStatus.COMPLETED, variableFilters: [] })).sort(), ['quick-0', 'quick-1', 'quick-2']);
  assert.deepEqual((await allIds(client, { wfSpecName: '', status: LHStatus.RUNNING, variableFilters: [] })).sort(), ['wait-0', 'wait-1', 'wait-2', 'wait-3']);
  assert.equal((await allIds(client, { wfSpecName: '', variableFilters: [] })).length, 7);
  assert.deepEqual(await allIds(client, { wfSpecName: 'waiting', variableFilters: [{ varName: 'n', value: int(2) }] }), ['wait-2']);
  assert.deepEqual(await allIds(client, { wfSpecName: 'quick', wfSpecMajorVersion: 0, wfSpecRevision: 0, status: LHStatus.RUNNING, variableFilters: [] }), []);
  const future = { seconds: BigInt(Math.floor(Date.now() / 1000) + 3600), nanos: 0 };
  assert.deepEqual(await allIds(client, { wfSpecName: 'quick', earliestStart: future, variableFilters: [] }), []);
  const past = { seconds: BigInt(Math.floor(beforeMs / 1000) - 1), nanos: 0 };
  assert.deepEqual(await allIds(client, { wfSpecName: 'quick', latestStart: past, variableFilters: [] }), []);

  const firstPage = await client.call.searchWfRun({ wfSpecName: '', limit: 2, variableFilters: [] });
  assert.equal(firstPage.results.length, 2);
  assert.ok(firstPage.bookmark !== undefined, 'a full page carries a bookmark');
  const paged = await allIds(client, { wfSpecName: '', limit: 3, variableFilters: [] });
  assert.equal(new Set(paged).size, 7, 'pages of 3 return every WfRun exactly once');

  assert.equal(await codeOf(client.call.searchWfRun({ wfSpecName: '', wfSpecMajorVersion: 0, variableFilters: [] })), 3);
  assert.equal(await codeOf(client.call.searchWfRun({ wfSpecName: 'quick', variableFilters: [{ varName: 'nope', value: int(1) }] })), 3);
  assert.equal(await codeOf(client.call.searchWfRun({ wfSpecName: 'missing', variableFilters: [] })), 3);
  assert.equal(await codeOf(client.call.searchWfRun({ wfSpecName: '', bookmark: Buffer.from('garbage'), variableFilters: [] })), 3);

  await client.call.deleteWfRun({ id: { id: 'quick-1' } });
  assert.deepEqual((await allIds(client, { wfSpecName: 'quick', variableFilters: [] })).sort(), ['quick-0', 'quick-2'], 'a deleted WfRun leaves the index');

  await server.kill9();
  await server.restart();
  const again = connect(server.address);
  clients.push(again);
  assert.equal((await allIds(again, { wfSpecName: '', variableFilters: [] })).length, 6, 'the index survives a crash');
});
