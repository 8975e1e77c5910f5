import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { Code } from '../processor/api-error.ts';
import { FakeLocalPartitions, FakeOwnership, fakeView, member } from './fake-partitions.ts';
import { InternalClients } from './internal-clients.ts';
import { startInternalServer, type InternalApiLimits, type InternalServer } from './internal-server.ts';

const T = { timeout: 60_000 };
const quiet = { warn: (): void => undefined, error: (): void => undefined };

async function withServer(
  local: FakeLocalPartitions,
  limits: Partial<InternalApiLimits>,
  fn: (server: InternalServer, clients: InternalClients, owner: ReturnType<typeof member>) => Promise<void>,
  clientOptions: ConstructorParameters<typeof InternalClients>[1] = {},
): Promise<void> {
  const server = await startInternalServer({ local, port: 0, host: '127.0.0.1', limits, log: quiet });
  const ownership = new FakeOwnership();
  const owner = member('owner', server.port);
  ownership.addMember(owner);
  const clients = new InternalClients(fakeView(member('caller', 1), ownership), clientOptions);
  try {
    await fn(server, clients, owner);
  } finally {
    clients.close();
    await server.close();
  }
}

const codeOf = async (p: Promise<unknown>): Promise<number | undefined> => {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as ServiceError).code;
  }
};

test('serves gets, scans and command outcomes of the partitions it serves', T, async () => {
  const local = new FakeLocalPartitions([0, -1]);
  local.put(0, 'a/1', 'one');
  local.put(0, 'a/2', 'two');
  local.put(0, 'b/1', 'other');
  local.put(-1, 'meta', 'm');
  await withServer(local, {}, async (_server, clients, owner) => {
    assert.equal(new TextDecoder().decode(await clients.getKey(owner, 0, 'a/2')), 'two');
    assert.equal(await clients.getKey(owner, 0, 'missing'), undefined);
    assert.equal(new TextDecoder().decode(await clients.getKey(owner, -1, 'meta')), 'm', 'the metadata partition is -1');
    const page = await clients.scan(owner, 0, 'a/', 'a/1', 10);
    assert.deepEqual(page.rows.map((r) => r.key), ['a/2']);
    assert.equal(page.truncated, false);

    local.commit(0, 'c1', { ok: true, response: new Uint8Array([1, 2]) });
    assert.deepEqual(await clients.waitForCommand(owner, 0, 'c1', 1_000), { ok: true, response: new Uint8Array([1, 2]) });
    local.commit(0, 'c2', { ok: true, response: undefined });
    assert.deepEqual(await clients.waitForCommand(owner, 0, 'c2', 1_000), { ok: true, response: undefined });
    const later = clients.waitForCommand(owner, 0, 'c3', 5_000);
    setTimeout(() => local.commit(0, 'c3', { ok: false, code: Code.NOT_FOUND, message: 'no such WfSpec' }), 50);
    assert.deepEqual(await later, { ok: false, code: Code.NOT_FOUND, message: 'no such WfSpec' });
    assert.deepEqual(await clients.waitForCommand(owner, 0, 'never', 100), { ok: false, code: Code.DEADLINE_EXCEEDED, message: 'timed out waiting for never' });
  });
});

test('a partition it does not serve is FAILED_PRECONDITION naming the partition', T, async () => {
  const local = new FakeLocalPartitions([0]);
  await withServer(local, {}, async (_server, clients, owner) => {
    const err = await clients.getKey(owner, 7, 'k').catch((e: unknown) => e as ServiceError);
    assert.equal((err as ServiceError).code, status.FAILED_PRECONDITION);
    assert.match((err as ServiceError).details, /this instance does not own partition 7/);
    assert.equal(await codeOf(clients.scan(owner, 7, '', undefined, 1)), status.FAILED_PRECONDITION);
    assert.equal(await codeOf(clients.waitForCommand(owner, 7, 'c', 100)), status.FAILED_PRECONDITION);
    const ended = await new Promise<ServiceError | undefined>((resolve) => {
      clients.watch(owner, 7, 't', { onSubscribed: () => undefined, onDetail: () => undefined, onEnd: resolve });
    });
    assert.equal(ended?.code, status.FAILED_PRECONDITION);
    assert.deepEqual(local.calls, [], 'nothing reached the local partitions');
  });
});

test('scan: limit is capped, big pages are cut and flagged truncated, limit 0 is refused', T, async () => {
  const local = new FakeLocalPartitions([0]);
  for (let i = 0; i < 20; i++) local.put(0, `k/${String(i).padStart(2, '0')}`, new Uint8Array(1_000));
  await withServer(local, { maxScanRows: 5, maxScanResponseBytes: 2_500 }, async (_server, clients, owner) => {
    const page = await clients.scan(owner, 0, 'k/', undefined, 100);
    assert.deepEqual(page.rows.map((r) => r.key), ['k/00', 'k/01'], 'cut at the byte cap');
    assert.equal(page.truncated, true);
    assert.equal(local.calls.at(-1), 'scan 0 k/ - 5', 'asked the store for the capped limit');
    assert.equal(await codeOf(clients.scan(owner, 0, 'k/', undefined, 0)), status.INVALID_ARGUMENT);
  });
  await withServer(local, { maxScanRows: 5 }, async (_server, clients, owner) => {
    const capped = await clients.scan(owner, 0, 'k/', undefined, 100);
    assert.equal(capped.rows.length, 5);
    assert.equal(capped.truncated, true, 'a page shortened by the row cap says so');
    const exact = await clients.scan(owner, 0, 'k/', undefined, 5);
    assert.equal(exact.truncated, false, 'the caller got what it asked for');
  });
});

test('watch streams: first event says subscribed, details follow, the cap gives RESOURCE_EXHAUSTED', T, async () => {
  const local = new FakeLocalPartitions([0]);
  await withServer(local, { maxWatchStreams: 2 }, async (server, clients, owner) => {
    const got: string[] = [];
    let subscribed = 0;
    const open = (): Promise<() => void> => new Promise((resolve) => {
      const stop = clients.watch(owner, 0, 'topic', {
        onSubscribed: () => {
          subscribed++;
          resolve(stop);
        },
        onDetail: (d) => got.push(d),
        onEnd: () => undefined,
      });
    });
    const stop1 = await open();
    await open();
    assert.equal(server.openCalls().watches, 2);
    local.notify(0, 'topic', 'x');
    await until(() => got.length === 2);
    assert.deepEqual(got, ['x', 'x']);

    const refused = await new Promise<ServiceError | undefined>((resolve) => {
      clients.watch(owner, 0, 'topic', { onSubscribed: () => undefined, onDetail: () => undefined, onEnd: resolve });
    });
    assert.equal(refused?.code, status.RESOURCE_EXHAUSTED);

    stop1();
    await until(() => server.openCalls().watches === 1 && local.watcherCount(0, 'topic') === 1);
    assert.equal(subscribed, 2);
  });
});

test('a partition that moves away ends its watch streams (OK) and its waits (FAILED_PRECONDITION)', T, async () => {
  const local = new FakeLocalPartitions([0]);
  await withServer(local, { servingCheckIntervalMs: 60_000 }, async (server, clients, owner) => {
    const ended = new Promise<ServiceError | undefined>((resolve) => {
      clients.watch(owner, 0, 't', { onSubscribed: () => undefined, onDetail: () => undefined, onEnd: resolve });
    });
    const wait = clients.waitForCommand(owner, 0, 'c', 10_000).catch((e: unknown) => e as ServiceError);
    await until(() => server.openCalls().watches === 1 && server.openCalls().waits === 1);
    local.serving.delete(0);
    server.checkServing();
    assert.equal(await ended, undefined, 'ended with OK');
    const err = await wait;
    assert.equal((err as ServiceError).code, status.FAILED_PRECONDITION);
    assert.equal(local.watcherCount(0, 't'), 0, 'the local listener is removed');
    assert.deepEqual(server.openCalls(), { watches: 0, waits: 0 });
  });
});

test('caps: pending waits, message size; deadlines end hung calls', T, async () => {
  const local = new FakeLocalPartitions([0]);
  local.put(0, 'big', new Uint8Array(8_000));
  await withServer(local, { maxPendingWaits: 1, maxMessageBytes: 4_096 }, async (server, clients, owner) => {
    const first = clients.waitForCommand(owner, 0, 'c', 10_000);
    await until(() => server.openCalls().waits === 1);
    assert.equal(await codeOf(clients.waitForCommand(owner, 0, 'd', 10_000)), status.RESOURCE_EXHAUSTED);
    local.commit(0, 'c', { ok: true, response: undefined });
    assert.equal((await first).ok, true);
    assert.equal(await codeOf(clients.getKey(owner, 0, 'big')), status.RESOURCE_EXHAUSTED, 'larger than maxMessageBytes');
  }, { maxMessageBytes: 4_096 });
  local.hangGets = true;
  await withServer(local, {}, async (_server, clients, owner) => {
    const started = Date.now();
    assert.equal(await codeOf(clients.getKey(owner, 0, 'k')), status.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started < 5_000);
  }, { callDeadlineMs: 200 });
});

test('a client per member, closed when the member leaves the view', T, async () => {
  const ownership = new FakeOwnership();
  const a = member('a', 1);
  const b = member('b', 2);
  ownership.addMember(a);
  ownership.addMember(b);
  const clients = new InternalClients(fakeView(a, ownership));
  assert.equal(clients.clientFor(b), clients.clientFor(b), 'one client per member');
  assert.deepEqual(clients.connectedMembers(), ['b']);
  ownership.removeMember('b');
  assert.deepEqual(clients.connectedMembers(), []);
  const moved = member('b', 3);
  clients.clientFor(moved);
  ownership.addMember(b);
  assert.deepEqual(clients.connectedMembers(), [], 'a member at another address gets a new client');
  clients.close();
  assert.equal(ownership.listenerCount(), 0);
  assert.throws(() => clients.clientFor(b), /closed/);
});

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
