// The bench load clients' own unary path (bench/proc/raw-unary.ts) against a real server: replies
// decode, and a refusal arrives as its gRPC status and message, like grpc-js would report them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { PutTenantRequest, Tenant, WfRunId } from '@filly/proto';
import { RawUnaryClient, type CallError } from '../../bench/proc/raw-unary.ts';
import { startServer, type ServerProcess } from '../harness/server-process.ts';

let server: ServerProcess;
let client: RawUnaryClient;

before(async () => {
  server = await startServer();
  client = new RawUnaryClient(server.address, undefined);
  await client.ready(10_000);
});
after(async () => {
  client?.close();
  await server?.stop();
});

function call(method: string, request: Uint8Array): Promise<{ err: CallError | null; reply: Uint8Array | undefined }> {
  return new Promise((resolve) => client.call(method, request, 10_000, (err, reply) => resolve({ err, reply })));
}

test('a successful call returns the reply message', async () => {
  const { err, reply } = await call('PutTenant', PutTenantRequest.encode(PutTenantRequest.fromPartial({ id: 'raw-unary' })).finish());
  assert.equal(err, null);
  assert.equal(Tenant.decode(reply!).id?.id, 'raw-unary');
});

test('a refused call returns its status code and message', async () => {
  const { err, reply } = await call('GetWfRun', WfRunId.encode(WfRunId.fromPartial({ id: 'no-such-wf-run' })).finish());
  assert.equal(reply, undefined);
  assert.equal(err?.code, status.NOT_FOUND);
  assert.match(err?.details ?? '', /no-such-wf-run|not found/i);
});

test('an unknown method is UNIMPLEMENTED', async () => {
  const { err } = await call('NoSuchMethod', new Uint8Array());
  assert.equal(err?.code, status.UNIMPLEMENTED);
});
