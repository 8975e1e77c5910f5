// Bad input gets a precise status and changes nothing; unbuilt rpcs say UNIMPLEMENTED.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PutWfSpecRequest } from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { linearSpec, putTaskDef, taskNode, varRef } from '../harness/specs.ts';

const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
const RESOURCE_EXHAUSTED = 8;
const UNIMPLEMENTED = 12;

describe('bad input', () => {
  let server: ServerProcess;
  let client: TestClient;

  before(async () => {
    server = await startServer();
    client = connect(server.address);
    await putTaskDef(client, 'known', [['x', 'STR']], 'STR');
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('unknown objects are NOT_FOUND', async () => {
    assert.equal(await codeOf(client.call.getWfRun({ id: 'nope' })), NOT_FOUND);
    assert.equal(await codeOf(client.call.getTaskDef({ name: 'nope' })), NOT_FOUND);
    assert.equal(await codeOf(client.call.getLatestWfSpec({ name: 'nope' })), NOT_FOUND);
    assert.equal(await codeOf(client.call.runWf({ wfSpecName: 'nope', variables: {} })), NOT_FOUND);
  });

  test('malformed names and ids are INVALID_ARGUMENT', async () => {
    assert.equal(await codeOf(client.call.getWfRun({ id: 'has space' })), INVALID_ARGUMENT);
    assert.equal(await codeOf(client.call.putTaskDef({ name: '-bad-', inputVars: [] })), INVALID_ARGUMENT);
    assert.equal(await codeOf(client.call.runWf({ wfSpecName: 'x', variables: {}, id: 'bad_id' })), INVALID_ARGUMENT);
  });

  test('invalid WfSpecs are INVALID_ARGUMENT with a message naming the problem, and nothing is stored', async () => {
    const cases: Array<[string, PutWfSpecRequest, RegExp]> = [
      ['unknown-task', linearSpec('unknown-task', [['1-ghost-TASK', taskNode('ghost')]]), /ghost/],
      ['undeclared-var', linearSpec('undeclared-var', [['1-known-TASK', taskNode('known', [varRef('missing')])]]), /missing/],
      ['dangling', PutWfSpecRequest.fromJSON({
        name: 'dangling', entrypointThreadName: 'entrypoint',
        threadSpecs: { entrypoint: { nodes: { '0-entrypoint-ENTRYPOINT': { entrypoint: {}, outgoingEdges: [{ sinkNodeName: 'nowhere' }] } } } },
      }), /nowhere/],
    ];
    for (const [name, req, message] of cases) {
      await assert.rejects(client.call.putWfSpec(req), (e: { code: number; details: string }) => {
        assert.equal(e.code, INVALID_ARGUMENT, `${name}: ${e.details}`);
        assert.match(e.details, message, name);
        return true;
      });
      assert.equal(await codeOf(client.call.getLatestWfSpec({ name })), NOT_FOUND, `${name} was not stored`);
    }
  });

  test('an over-size payload is RESOURCE_EXHAUSTED', async () => {
    const huge = 'x'.repeat(1_100_000);
    assert.equal(await codeOf(client.call.putTaskDef({ name: 'big', inputVars: [], description: huge })), RESOURCE_EXHAUSTED);
    assert.equal(await codeOf(client.call.getTaskDef({ name: 'big' })), NOT_FOUND);
  });

  test('an unknown tenant is PERMISSION_DENIED', async () => {
    const other = connect(server.address, { tenant: 'no-such-tenant' });
    try {
      assert.equal(await codeOf(other.call.getTaskDef({ name: 'known' })), PERMISSION_DENIED);
    } finally {
      other.close();
    }
  });

  test('rpcs not built yet answer UNIMPLEMENTED with a message', async () => {
    await assert.rejects(client.call.searchQuota({}), (e: { code: number; details: string }) => {
      assert.equal(e.code, UNIMPLEMENTED);
      assert.match(e.details, /not implemented/);
      return true;
    });
  });

  test('the server is still healthy after all of the above', async () => {
    const me = await client.call.whoami({});
    assert.equal(me.id?.id, 'anonymous');
    const tenant = await client.call.getTenant({ id: 'default' });
    assert.equal(tenant.id?.id, 'default');
  });
});
