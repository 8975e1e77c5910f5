// Searches over metadata: name prefixes, WfSpec versions and users of a TaskDef, tenants and
// principals, with bookmarks that page through every result exactly once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { linearSpec, putTaskDef, taskNode, varDef } from '../harness/specs.ts';

let server: ServerProcess | undefined;
const clients: TestClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

test('metadata searches filter by name, version and use, and page with bookmarks', async () => {
  server = await startServer();
  const client = connect(server.address);
  clients.push(client);
  for (const name of ['ship-order', 'ship-refund', 'bill-order']) await putTaskDef(client, name);

  const ship = await client.call.searchTaskDef({ prefix: 'ship-' });
  assert.deepEqual(ship.results.map((r) => r.name), ['ship-order', 'ship-refund']);
  assert.equal(ship.bookmark, undefined, 'no bookmark when everything fit');

  const seen: string[] = [];
  let bookmark: Buffer | undefined;
  for (let page = 0; page < 10; page++) {
    const res = await client.call.searchTaskDef({ limit: 1, bookmark });
    seen.push(...res.results.map((r) => r.name));
    assert.ok(res.results.length <= 1);
    bookmark = res.bookmark;
    if (bookmark === undefined) break;
  }
  assert.deepEqual(seen, ['bill-order', 'ship-order', 'ship-refund'], 'pages cover every TaskDef once, in name order');

  await client.call.putWfSpec(linearSpec('shipping', [['1-ship-order-TASK', taskNode('ship-order')]]));
  // A new public variable is a breaking change: version 1.0.
  await client.call.putWfSpec(linearSpec('shipping', [['1-ship-order-TASK', taskNode('ship-order')]], [varDef('note', 'STR')]));
  await client.call.putWfSpec(linearSpec('billing', [['1-bill-order-TASK', taskNode('bill-order')]]));
  const versions = await client.call.searchWfSpec({ wfSpecCriteria: { $case: 'name', value: 'shipping' } });
  assert.deepEqual(versions.results.map((r) => `${r.name}@${r.majorVersion}.${r.revision}`), ['shipping@0.0', 'shipping@1.0']);
  const users = await client.call.searchWfSpec({ wfSpecCriteria: { $case: 'taskDefName', value: 'bill-order' } });
  assert.deepEqual(users.results.map((r) => r.name), ['billing']);
  const everything = await client.call.searchWfSpec({});
  assert.equal(everything.results.length, 3);
  assert.equal((await client.call.searchExternalEventDef({})).results.length, 0);

  await client.call.putTenant({ id: 'acme' });
  const tenants = await client.call.searchTenant({});
  assert.deepEqual(tenants.results.map((t) => t.id).sort(), ['acme', 'default']);
  const admins = await client.call.searchPrincipal({ principalCriteria: { $case: 'isAdmin', value: true } });
  assert.ok(admins.results.some((p) => p.id === 'anonymous'), 'the anonymous principal is an admin on a fresh server');
  const nonAdmins = await client.call.searchPrincipal({ principalCriteria: { $case: 'isAdmin', value: false } });
  assert.equal(nonAdmins.results.length, 0);

  assert.equal(await codeOf(client.call.searchTaskDef({ bookmark: Buffer.from('m/other/taskdef/x') , prefix: 'ship-' })), 3, 'a foreign bookmark is INVALID_ARGUMENT');
  assert.equal(await codeOf(client.call.searchTaskDef({ limit: -1 })), 3);
});
