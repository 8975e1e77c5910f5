// Two instances in one process, each with its internal server, fake LocalPartitions and a view of
// one shared fake ownership map: the router at A serves A's partitions locally and forwards the
// rest to B, and follows ownership changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, Code } from '../processor/api-error.ts';
import type { MemberInfo } from './cluster-view.ts';
import { FakeLocalPartitions, FakeOwnership, fakeView, member } from './fake-partitions.ts';
import { InternalClients } from './internal-clients.ts';
import { startInternalServer, type InternalServer } from './internal-server.ts';
import { PartitionRouter, PartitionUnavailableError, type PartitionRouterOptions } from './partition-router.ts';

const T = { timeout: 60_000 };
const quiet = { warn: (): void => undefined, error: (): void => undefined };
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

interface Instance {
  me: MemberInfo;
  local: FakeLocalPartitions;
  server: InternalServer;
  clients: InternalClients;
  router: PartitionRouter;
}

async function cluster(fn: (a: Instance, b: Instance, ownership: FakeOwnership) => Promise<void>,
  routerOptions: Partial<PartitionRouterOptions> = {}): Promise<void> {
  const ownership = new FakeOwnership();
  const instances: Instance[] = [];
  for (const id of ['a', 'b']) {
    const local = new FakeLocalPartitions();
    const server = await startInternalServer({ local, port: 0, host: '127.0.0.1', log: quiet, limits: { servingCheckIntervalMs: 50 } });
    const me = member(id, server.port);
    const view = fakeView(me, ownership);
    const clients = new InternalClients(view, { callDeadlineMs: 2_000 });
    instances.push({ me, local, server, clients, router: new PartitionRouter({ view, local, clients, minBackoffMs: 20, maxBackoffMs: 100, ...routerOptions }) });
    ownership.addMember(me);
  }
  const [a, b] = instances as [Instance, Instance];
  try {
    await fn(a, b, ownership);
  } finally {
    for (const i of instances) {
      i.clients.close();
      await i.server.close();
    }
  }
}

function own(ownership: FakeOwnership, partition: number, owner: Instance, previous?: Instance): void {
  previous?.local.serving.delete(partition);
  owner.local.serving.add(partition);
  ownership.setOwner(partition, owner.me);
}

test('reads of own partitions stay local; others go to their owner', T, () => cluster(async (a, b, ownership) => {
  own(ownership, 0, a);
  own(ownership, 1, b);
  a.local.put(0, 'k', 'from-a');
  b.local.put(1, 'k', 'from-b');
  for (let i = 0; i < 5; i++) b.local.put(1, `s/${i}`, `v${i}`);

  assert.equal(text(await a.router.get(0, 'k')), 'from-a');
  assert.equal(text(await a.router.get(1, 'k')), 'from-b');
  assert.deepEqual(b.local.calls, ['get 1 k'], 'only the foreign partition reached B');
  const rows = await a.router.scan(1, 's/', 's/1', 2);
  assert.deepEqual(rows.map((r) => [r.key, text(r.value)]), [['s/2', 'v2'], ['s/3', 'v3']]);

  b.local.commit(1, 'cmd', { ok: false, code: Code.INVALID_ARGUMENT, message: 'bad' });
  assert.deepEqual(await a.router.waitForCommand(1, 'cmd', 1_000), { ok: false, code: Code.INVALID_ARGUMENT, message: 'bad' });
  a.local.commit(0, 'mine', { ok: true, response: undefined });
  assert.deepEqual(await a.router.waitForCommand(0, 'mine', 1_000), { ok: true, response: undefined });
}));

test('a remote scan cut by the owner\'s size cap is fetched in full', T, async () => {
  const ownership = new FakeOwnership();
  const local = new FakeLocalPartitions([3]);
  for (let i = 0; i < 10; i++) local.put(3, `r/${i}`, new Uint8Array(1_000));
  const server = await startInternalServer({ local, port: 0, host: '127.0.0.1', log: quiet, limits: { maxScanResponseBytes: 2_500, maxScanRows: 4 } });
  const owner = member('owner', server.port);
  ownership.addMember(owner);
  ownership.setOwner(3, owner);
  const view = fakeView(member('me', 1), ownership);
  const clients = new InternalClients(view);
  try {
    const router = new PartitionRouter({ view, local: new FakeLocalPartitions(), clients });
    const rows = await router.scan(3, 'r/', undefined, 7);
    assert.deepEqual(rows.map((r) => r.key), ['r/0', 'r/1', 'r/2', 'r/3', 'r/4', 'r/5', 'r/6']);
    assert.deepEqual((await router.scan(3, 'r/', 'r/7', 100)).map((r) => r.key), ['r/8', 'r/9']);
  } finally {
    clients.close();
    await server.close();
  }
});

test('a stale view is corrected: the old owner refuses, the router retries after the view changes', T, () => cluster(async (a, b, ownership) => {
  a.local.put(2, 'k', 'now-at-a');
  // A believes B owns 2, but B has already given it up.
  ownership.setOwner(2, b.me);
  const read = a.router.get(2, 'k');
  setTimeout(() => own(ownership, 2, a), 150);
  assert.equal(text(await read), 'now-at-a');
  assert.ok(b.local.calls.length === 0, 'B never touched its local partitions for 2');
}));

test('an unreachable owner is retried once the view moves the partition', T, () => cluster(async (a, b, ownership) => {
  const dead = member('dead', 1); // nothing listens on port 1
  ownership.addMember(dead);
  ownership.setOwner(4, dead);
  b.local.put(4, 'k', 'at-b');
  const read = a.router.get(4, 'k');
  setTimeout(() => {
    ownership.removeMember('dead');
    own(ownership, 4, b);
  }, 200);
  assert.equal(text(await read), 'at-b');
}));

test('no owner within the budget gives UNAVAILABLE "partition N has no owner right now; retry"', T, () => cluster(async (a) => {
  const started = Date.now();
  await assert.rejects(a.router.get(5, 'k'), (e: unknown) => {
    assert.ok(e instanceof PartitionUnavailableError && e instanceof ApiError);
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.equal(e.message, 'partition 5 has no owner right now; retry');
    return true;
  });
  assert.ok(Date.now() - started < 5_000, 'bounded by the retry budget');
}, { retryBudgetMs: 300 }));

test('attempts are bounded too: a refusing owner is not asked forever', T, () => cluster(async (a, b, ownership) => {
  ownership.setOwner(6, b.me); // B does not serve 6 and the view never changes
  await assert.rejects(a.router.get(6, 'k'), PartitionUnavailableError);
}, { maxAttempts: 3, retryBudgetMs: 60_000 }));

test('an owner that does not answer in time fails the read with DEADLINE_EXCEEDED, not a retry', T, () => cluster(async (a, b, ownership) => {
  own(ownership, 7, b);
  b.local.hangGets = true;
  await assert.rejects(a.router.get(7, 'k'), (e: unknown) => e instanceof ApiError && e.code === Code.DEADLINE_EXCEEDED);
  assert.equal(b.local.calls.filter((c) => c.startsWith('get')).length, 1);
}));

test('a wait follows the partition to its new owner, which answers the command from the log', T, () => cluster(async (a, b, ownership) => {
  own(ownership, 1, b);
  const wait = a.router.waitForCommand(1, 'c1', 10_000);
  await until(() => b.server.openCalls().waits === 1);
  // B loses the partition before applying the command; A restores it and applies it.
  b.local.serving.delete(1);
  b.server.checkServing();
  setTimeout(() => {
    own(ownership, 1, a);
    a.local.commit(1, 'c1', { ok: true, response: new Uint8Array([7]) });
  }, 100);
  assert.deepEqual(await wait, { ok: true, response: new Uint8Array([7]) });

  // And the other way: a local wait moves to B when A loses the partition.
  const back = a.router.waitForCommand(1, 'c2', 10_000);
  await until(() => a.local.calls.includes('wait 1 c2'));
  own(ownership, 1, b, a);
  b.local.commit(1, 'c2', { ok: true, response: undefined });
  assert.deepEqual(await back, { ok: true, response: undefined });
}));

test('a wait that outlives its timeout is DEADLINE_EXCEEDED, with or without an owner', T, () => cluster(async (a, b, ownership) => {
  own(ownership, 1, b);
  assert.equal((await a.router.waitForCommand(1, 'never', 200)).ok, false);
  const orphan = await a.router.waitForCommand(9, 'never', 200);
  assert.deepEqual(orphan.ok ? undefined : orphan.code, Code.DEADLINE_EXCEEDED);
}));

test('watch: remote details arrive; on an owner change the listener gets "" and then the new owner\'s details', T,
  () => cluster(async (a, b, ownership) => {
    own(ownership, 1, b);
    const got: string[] = [];
    const stop = a.router.watch(1, 'wf', (d) => got.push(d));
    await until(() => b.local.watcherCount(1, 'wf') === 1 && got.length === 1);
    assert.deepEqual(got, [''], 'a remote subscription asks for one re-read once registered');
    b.local.notify(1, 'wf', 'x');
    await until(() => got.length === 2);

    own(ownership, 1, a, b);
    await until(() => got.length === 3);
    assert.deepEqual(got, ['', 'x', '']);
    assert.equal(a.local.watcherCount(1, 'wf'), 1);
    await until(() => b.local.watcherCount(1, 'wf') === 0);
    b.local.notify(1, 'wf', 'stale');
    a.local.notify(1, 'wf', 'y');
    assert.deepEqual(got, ['', 'x', '', 'y']);

    // The owner ends the stream before this instance's view knows where the partition went.
    own(ownership, 1, b, a);
    await until(() => b.local.watcherCount(1, 'wf') === 1 && got.length === 5);
    b.local.serving.delete(1);
    b.server.checkServing();
    await until(() => b.local.watcherCount(1, 'wf') === 0);
    setTimeout(() => own(ownership, 1, a), 150);
    await until(() => a.local.watcherCount(1, 'wf') === 1 && got.length === 6);
    assert.deepEqual(got.slice(4), ['', '']);

    stop();
    assert.equal(a.local.watcherCount(1, 'wf'), 0);
    a.local.notify(1, 'wf', 'after-stop');
    assert.equal(got.length, 6);
  }));

test('watch of a partition with no owner yet subscribes when one appears', T, () => cluster(async (a, b, ownership) => {
  const got: string[] = [];
  const stop = a.router.watch(8, 'wf', (d) => got.push(d));
  await new Promise((r) => setTimeout(r, 100));
  own(ownership, 8, b);
  await until(() => b.local.watcherCount(8, 'wf') === 1 && got.length === 1);
  b.local.notify(8, 'wf', 'z');
  await until(() => got.length === 2);
  assert.deepEqual(got, ['', 'z']);
  stop();
  await until(() => b.local.watcherCount(8, 'wf') === 0);
}));

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
