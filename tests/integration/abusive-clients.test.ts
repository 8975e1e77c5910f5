// Clients that misbehave: trickling or abandoned calls, a PollTask stream that never reads, thousands
// of idle connections, and more load than the server's limits. The server must stay up, keep
// serving well-behaved clients, bound its memory, and refuse excess load with RESOURCE_EXHAUSTED
// and a retry hint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http2 from 'node:http2';
import { LHStatus, LittleHorseClient, PollTaskRequest, type PollTaskResponse, type VariableValue } from '@filly/proto';
import { credentials, Metadata, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker } from '../harness/test-worker.ts';
import { linearSpec, putTaskDef, taskNode, varDef, varRef } from '../harness/specs.ts';

const RESOURCE_EXHAUSTED = 8;
const PUSHBACK = 'grpc-retry-pushback-ms';
const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** Open-file limit of this process; the idle-connection test sizes itself under it. */
function openFileLimit(): number {
  const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
  return m ? Number(m[1]) : 1024;
}

function openSession(port: number): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = http2.connect(`http://127.0.0.1:${port}`);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function grpcRequest(session: http2.ClientHttp2Session, method: string): http2.ClientHttp2Stream {
  const req = session.request({ ':method': 'POST', ':path': `/littlehorse.LittleHorse/${method}`, 'content-type': 'application/grpc', te: 'trailers' });
  req.on('error', () => undefined);
  return req;
}

/** A gRPC length-prefixed frame around a message. */
function frame(message: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, Buffer.from(message)]);
}

function assertRetryable(err: ServiceError, why: string): void {
  assert.equal(err.code, RESOURCE_EXHAUSTED, `${why}: ${err.details}`);
  assert.match(err.details, /retry/i, why);
  const pushback = err.metadata?.get(PUSHBACK)[0];
  assert.ok(typeof pushback === 'string' && Number(pushback) > 0, `${why}: a ${PUSHBACK} trailer (got ${String(pushback)})`);
}

describe('abusive clients against a server with default limits', () => {
  let server: ServerProcess;
  let client: TestClient;

  before(async () => {
    server = await startServer();
    client = connect(server.address, { deadlineMs: 30_000 });
    await putTaskDef(client, 'bulky', [['text', 'STR']], 'STR');
    await client.call.putWfSpec(linearSpec('bulky-wf', [['1-bulky-TASK', taskNode('bulky', [varRef('text')])]], [varDef('text', 'STR')]));
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('trickling and abandoned calls do not stall other clients or the server', async () => {
    const sessions = await Promise.all(Array.from({ length: 20 }, () => openSession(server.port)));
    // Each session trickles the first bytes of a frame header, one byte at a time.
    const trickles = sessions.map((s) => grpcRequest(s, 'PutTaskDef'));
    for (let i = 0; i < 3; i++) {
      for (const t of trickles) t.write(Buffer.from([0]));
      const started = Date.now();
      await client.call.getServerVersion({});
      console.log(`abusive: a normal call took ${Date.now() - started} ms while 20 clients trickle`);
      await sleep(100);
    }
    // A complete write whose connection closes before the answer, and a half-sent one.
    const full = frame(Buffer.from('0a0a61626f727465642d7464', 'hex'));
    for (const [i, s] of sessions.entries()) {
      const req = grpcRequest(s, i % 2 === 0 ? 'PutTaskDef' : 'RunWf');
      req.write(i % 2 === 0 ? full : full.subarray(0, 7));
      s.destroy();
    }
    await sleep(300);
    assert.ok((await client.call.whoami({})).id, 'still serving');
    const logs = server.logs();
    assert.doesNotMatch(logs, /unexpected error|uncaught/i, 'no unexpected errors in the server log');
  });

  test('a PollTask stream that never reads does not hoard tasks; other workers get them', async () => {
    const total = 120;
    const text = 'x'.repeat(8_192);
    // The hoarder asks for many tasks and never reads a response, down to the transport: its
    // HTTP/2 stream is paused, so flow control stops the server's writes. (A grpc-js client that
    // never reads still drains the socket into its own memory, so the server could not tell.)
    const session = await openSession(server.port);
    const hoarder = grpcRequest(session, 'PollTask');
    hoarder.pause();
    const poll = frame(PollTaskRequest.encode({ taskDefId: { name: 'bulky' }, clientId: 'hoarder', taskWorkerVersion: 'x' }).finish());
    for (let i = 0; i < 500; i++) hoarder.write(poll);
    await sleep(300);
    const worker = startTestWorker(client, 'bulky', () => ({ kind: 'success', output: str('ok') }), { credits: 4, clientId: 'honest' });
    try {
      const rssBefore = rssBytes(server.pid()!);
      for (let i = 0; i < total; i++) await client.call.runWf({ wfSpecName: 'bulky-wf', variables: { text: str(text) }, id: `bulky-${i}` });
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && worker.received.length < total / 2) await sleep(100);
      await sleep(500);
      const honest = worker.received.length;
      console.log(`abusive: the honest worker got ${honest} of ${total} tasks; the hoarder at most ${total - honest}`);
      assert.ok(honest >= total / 2, `the honest worker got only ${honest} of ${total} tasks`);
      const done = await client.call.getWfRun({ id: `bulky-${total - 1}`, parentWfRunId: undefined });
      assert.notEqual(done.status, LHStatus.ERROR);
      const growth = rssBytes(server.pid()!) - rssBefore;
      assert.ok(growth < 200 * 1024 * 1024, `server RSS grew by ${growth} bytes`);
    } finally {
      worker.stop();
      session.destroy();
    }
  });

  test('thousands of idle connections do not stop a normal client from being served', async () => {
    const count = Math.min(2_000, Math.floor(openFileLimit() / 2) - 200);
    assert.ok(count >= 500, `the open-file limit (${openFileLimit()}) is too low for this test`);
    const sessions: http2.ClientHttp2Session[] = [];
    try {
      for (let i = 0; i < count; i += 100) {
        sessions.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => openSession(server.port)))));
      }
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const started = Date.now();
        await client.call.runWf({ wfSpecName: 'bulky-wf', variables: { text: str('hi') }, id: `idle-${i}` });
        await client.call.getWfRun({ id: `idle-${i}`, parentWfRunId: undefined });
        times.push(Date.now() - started);
      }
      console.log(`abusive: with ${count} idle connections, RunWf+GetWfRun took ${Math.min(...times)}..${Math.max(...times)} ms`);
      assert.equal(times.length, 10);
    } finally {
      for (const s of sessions) s.destroy();
    }
  });
});

describe('abusive clients against a server with tight limits', () => {
  let server: ServerProcess;
  let client: TestClient;

  before(async () => {
    server = await startServer({
      env: {
        FILLY_MAX_CONNECTIONS: '30',
        FILLY_MAX_POLL_TASK_STREAMS: '3',
        FILLY_MAX_OUTSTANDING_POLLS_PER_STREAM: '10',
        FILLY_MAX_IN_FLIGHT_REQUESTS: '20',
        FILLY_MAX_PENDING_COMMANDS: '8',
      },
    });
    client = connect(server.address, { deadlineMs: 30_000 });
    await putTaskDef(client, 'tight', [], 'STR');
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('connections beyond FILLY_MAX_CONNECTIONS get RESOURCE_EXHAUSTED with a retry hint', async () => {
    const hogs = await Promise.all(Array.from({ length: 30 }, () => openSession(server.port)));
    // Its own channel: grpc-js clients otherwise share the connection of `client`.
    const late = new LittleHorseClient(server.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    const whoami = (c: LittleHorseClient): Promise<unknown> => new Promise((resolve, reject) => {
      c.whoami({}, new Metadata(), { deadline: new Date(Date.now() + 10_000) }, (e, r) => (e ? reject(e) : resolve(r)));
    });
    try {
      await assert.rejects(whoami(late), (e: ServiceError) => {
        assertRetryable(e, 'over the connection limit');
        assert.match(e.details, /FILLY_MAX_CONNECTIONS/);
        return true;
      });
    } finally {
      late.close();
      for (const s of hogs) s.destroy();
    }
    await sleep(300);
    const again = new LittleHorseClient(server.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    try {
      assert.ok(await whoami(again), 'served once connections are free');
    } finally {
      again.close();
    }
  });

  test('PollTask streams beyond the limit and polls beyond the per-stream limit are refused', async () => {
    const open = (): ClientDuplexStream<never, PollTaskResponse> => {
      const s: ClientDuplexStream<never, PollTaskResponse> = client.raw.pollTask(client.metadata()) as never;
      s.on('data', () => undefined);
      return s;
    };
    const poll = { taskDefId: { name: 'tight' }, clientId: 'w', taskWorkerVersion: 'x' } as never;
    const streams = [open(), open(), open()];
    for (const s of streams) {
      s.on('error', () => undefined);
      s.write(poll);
    }
    await sleep(300);
    const extra = open();
    const refused = new Promise<ServiceError>((resolve) => extra.on('error', resolve));
    extra.write(poll);
    assertRetryable(await refused, 'a stream over FILLY_MAX_POLL_TASK_STREAMS');
    for (const s of streams) s.cancel();
    await sleep(300);

    const greedy = open();
    const closed = new Promise<ServiceError>((resolve) => greedy.on('error', resolve));
    for (let i = 0; i < 11; i++) greedy.write(poll);
    const err = await closed;
    assert.equal(err.code, RESOURCE_EXHAUSTED);
    assert.match(err.details, /FILLY_MAX_OUTSTANDING_POLLS_PER_STREAM/);
  });

  test('more writes than the server can queue are refused quickly with a retry hint, and memory stays bounded', async () => {
    const rssBefore = rssBytes(server.pid()!);
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 1_000 }, (_, i) =>
      client.call.putExternalEventDef({ name: `flood-${i}`, retentionPolicy: undefined, contentType: undefined, correlatedEventConfig: undefined })
        .then(() => undefined, (e: ServiceError) => e)));
    const elapsedMs = Date.now() - started;
    const refusals = outcomes.filter((o): o is ServiceError => o !== undefined);
    console.log(`abusive: 1000 concurrent writes: ${1_000 - refusals.length} accepted, ${refusals.length} refused, in ${elapsedMs} ms`);
    assert.ok(refusals.length > 0, 'some writes were refused');
    for (const e of refusals) assertRetryable(e, 'an overload refusal');
    const reasons = new Set(refusals.map((e) => (/FILLY_MAX_IN_FLIGHT_REQUESTS/.test(e.details) ? 'in-flight' : 'pending-commands')));
    console.log(`abusive: refusal reasons: ${[...reasons].join(', ')}`);
    // Accepted writes are durable and visible.
    const accepted = outcomes.flatMap((o, i) => (o === undefined ? [i] : []));
    for (const i of accepted.slice(0, 50)) await client.call.getExternalEventDef({ name: `flood-${i}` });
    const growth = rssBytes(server.pid()!) - rssBefore;
    assert.ok(growth < 200 * 1024 * 1024, `server RSS grew by ${growth} bytes`);
    assert.equal(await codeOf(client.call.whoami({})), 0, 'the server serves again after the flood');
  });
});
