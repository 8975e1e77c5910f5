import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Empty, Principal, TaskDef, TaskDefId } from '@filly/proto';
import { startGrpcServer } from '../testing/fake-lh-server.ts';
import { loadConfig } from './config.ts';
import { LittleHorseClient } from './client.ts';
import { UNARY_METHOD_NAMES } from './rpc-types.ts';

test('every unary rpc of the service is a promise method', () => {
  const client = new LittleHorseClient(loadConfig({ env: {} }));
  try {
    assert.ok(UNARY_METHOD_NAMES.length >= 100, `only ${UNARY_METHOD_NAMES.length} unary rpcs`);
    assert.ok(!(UNARY_METHOD_NAMES as readonly string[]).includes('pollTask'), 'the stream is not unary');
    for (const name of UNARY_METHOD_NAMES) assert.equal(typeof client[name], 'function', name);
  } finally {
    client.close();
  }
});

test('sends the tenant header, decodes responses, maps errors to gRPC codes', async () => {
  const seen: Record<string, unknown>[] = [];
  const { server, port } = await startGrpcServer({
    getTaskDef: (call: ServerUnaryCall<TaskDefId, TaskDef>, cb: sendUnaryData<TaskDef>) => {
      seen.push(call.metadata.getMap());
      if (call.request.name === 'missing') cb({ code: status.NOT_FOUND, details: 'nope' });
      else cb(null, { id: { name: call.request.name }, inputVars: [] });
    },
  });
  const client = new LittleHorseClient({ env: {}, apiHost: '127.0.0.1', apiPort: port, tenantId: 'acme' });
  try {
    const def = await client.getTaskDef({ name: 'greet' });
    assert.equal(def.id?.name, 'greet');
    assert.equal(seen[0]?.['tenantid'], 'acme');
    await assert.rejects(client.getTaskDef({ name: 'missing' }), (err: { code: number }) => err.code === status.NOT_FOUND);
    await assert.rejects(client.whoami({}), (err: { code: number }) => err.code === status.UNIMPLEMENTED);
  } finally {
    client.close();
    server.forceShutdown();
  }
});

test('a per-call deadline ends a slow call with DEADLINE_EXCEEDED', async () => {
  const { server, port } = await startGrpcServer({
    whoami: (_call: ServerUnaryCall<Empty, Principal>, cb: sendUnaryData<Principal>) => {
      setTimeout(() => cb(null, { id: { id: 'anonymous' }, perTenantAcls: {} }), 500);
    },
  });
  const client = new LittleHorseClient({ env: {}, apiHost: '127.0.0.1', apiPort: port });
  try {
    const started = Date.now();
    await assert.rejects(client.whoami({}, { timeoutMs: 50 }), (err: { code: number }) => err.code === status.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started < 400);
  } finally {
    client.close();
    server.forceShutdown();
  }
});

test('RESOURCE_EXHAUSTED is retried with backoff when enabled, and not when disabled', async () => {
  let calls = 0;
  const { server, port } = await startGrpcServer({
    whoami: (_call: ServerUnaryCall<Empty, Principal>, cb: sendUnaryData<Principal>) => {
      calls++;
      if (calls % 3 !== 0) cb({ code: status.RESOURCE_EXHAUSTED, details: 'quota' });
      else cb(null, { id: { id: 'anonymous' }, perTenantAcls: {} });
    },
  });
  const retrying = new LittleHorseClient(
    { env: {}, apiHost: '127.0.0.1', apiPort: port },
    { retryPolicy: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 } },
  );
  const plain = new LittleHorseClient({ env: {}, apiHost: '127.0.0.1', apiPort: port, resourceExhaustedRetry: false });
  try {
    const p = await retrying.whoami({});
    assert.equal(p.id?.id, 'anonymous');
    assert.equal(calls, 3);
    await assert.rejects(plain.whoami({}), (err: { code: number }) => err.code === status.RESOURCE_EXHAUSTED);
    assert.equal(calls, 4, 'no retry when disabled');
  } finally {
    retrying.close();
    plain.close();
    server.forceShutdown();
  }
});

test('OAuth client credentials: token fetched once, cached, sent as a bearer header', async () => {
  let tokenRequests = 0;
  let lastBody = '';
  let lastAuth = '';
  const idp = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      tokenRequests++;
      lastBody = body;
      lastAuth = req.headers.authorization ?? '';
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: `tok-${tokenRequests}`, expires_in: 3600 }));
    });
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
  const idpPort = (idp.address() as AddressInfo).port;
  const auths: unknown[] = [];
  const { server, port } = await startGrpcServer({
    whoami: (call: ServerUnaryCall<Empty, Principal>, cb: sendUnaryData<Principal>) => {
      auths.push(call.metadata.get('authorization')[0]);
      cb(null, { id: { id: 'svc' }, perTenantAcls: {} });
    },
  });
  const client = new LittleHorseClient({
    env: {},
    apiHost: '127.0.0.1',
    apiPort: port,
    oauth: { clientId: 'cid', clientSecret: 's3cret', accessTokenUrl: `http://127.0.0.1:${idpPort}/token` },
  });
  try {
    await Promise.all([client.whoami({}), client.whoami({})]);
    await client.whoami({});
    assert.equal(tokenRequests, 1, 'one token for three calls');
    assert.deepEqual(auths, ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1']);
    assert.equal(lastBody, 'grant_type=client_credentials');
    assert.equal(lastAuth, `Basic ${Buffer.from('cid:s3cret').toString('base64')}`);
  } finally {
    client.close();
    server.forceShutdown();
    idp.close();
  }
});
