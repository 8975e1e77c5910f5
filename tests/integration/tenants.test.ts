// Tenants: the default tenant exists from the first start, the `tenantid` header selects one, and
// objects of one tenant are invisible from another.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { putTaskDef } from '../harness/specs.ts';

let server: ServerProcess | undefined;
const clients: TestClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

test('objects are scoped to the tenant named by the tenantid header', async () => {
  server = await startServer();
  const admin = connect(server.address);
  clients.push(admin);
  assert.equal((await admin.call.getTenant({ id: 'default' })).id?.id, 'default');
  const created = await admin.call.putTenant({ id: 'acme' });
  assert.equal(created.id?.id, 'acme');

  const acme = connect(server.address, { tenant: 'acme' });
  clients.push(acme);
  await putTaskDef(acme, 'acme-only', [], 'STR');
  assert.equal((await acme.call.getTaskDef({ name: 'acme-only' })).id?.name, 'acme-only');
  assert.equal(await codeOf(admin.call.getTaskDef({ name: 'acme-only' })), 5, 'invisible from the default tenant');

  await server.kill9();
  await server.restart();
  const again = connect(server.address, { tenant: 'acme' });
  clients.push(again);
  assert.equal((await again.call.getTaskDef({ name: 'acme-only' })).id?.name, 'acme-only', 'kept across a crash');
});
