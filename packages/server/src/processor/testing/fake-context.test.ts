import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduledTask, TaskRunId } from '@filly/proto';
import { FakeWorld } from './fake-context.ts';
import { Records } from '../records.ts';
import type { ProcessorContext } from '../context.ts';

const body = { $case: 'initializeCluster', value: {} } as const;
const taskRunId = TaskRunId.fromPartial({ wfRunId: { id: 'w1' }, taskGuid: 'g1' });

test('writes are invisible to the world until commit, and a throw discards them', () => {
  const world = new FakeWorld();
  const ctx = world.begin(body);
  ctx.put(Records.scheduledTask, 'm/t/a/1', ScheduledTask.fromPartial({ attemptNumber: 3 }));
  assert.equal(ctx.get(Records.scheduledTask, 'm/t/a/1')?.attemptNumber, 3);
  assert.equal(world.get(Records.scheduledTask, 'm/t/a/1'), undefined);
  ctx.commit();
  assert.equal(world.get(Records.scheduledTask, 'm/t/a/1')?.attemptNumber, 3);
  assert.throws(() => ctx.put(Records.scheduledTask, 'm/t/a/2', ScheduledTask.fromPartial({})));

  assert.throws(() =>
    world.exec((c: ProcessorContext) => {
      c.delete('m/t/a/1');
      throw new Error('boom');
    }, body),
  );
  assert.equal(world.get(Records.scheduledTask, 'm/t/a/1')?.attemptNumber, 3);
});

test('scan merges pending writes and deletes, in key order', () => {
  const world = new FakeWorld();
  world.put(Records.scheduledTask, 'm/t/p/b', ScheduledTask.fromPartial({ attemptNumber: 2 }));
  world.put(Records.scheduledTask, 'm/t/p/d', ScheduledTask.fromPartial({ attemptNumber: 4 }));
  world.put(Records.scheduledTask, 'q/a', ScheduledTask.fromPartial({ attemptNumber: 9 }));
  const ctx = world.begin(body);
  ctx.put(Records.scheduledTask, 'm/t/p/a', ScheduledTask.fromPartial({ attemptNumber: 1 }));
  ctx.delete('m/t/p/d');
  ctx.put(Records.scheduledTask, 'm/t/p/c', ScheduledTask.fromPartial({ attemptNumber: 3 }));
  assert.deepEqual(
    ctx.scan(Records.scheduledTask, 'm/t/p/').map((r) => [r.key, r.value.attemptNumber]),
    [['m/t/p/a', 1], ['m/t/p/b', 2], ['m/t/p/c', 3]],
  );
});

test('guids are unique across commands and stable for the same command', () => {
  const world = new FakeWorld();
  const a = world.begin(body);
  const b = world.begin(body);
  const ids = [a.newGuid(), a.newGuid(), b.newGuid()];
  assert.equal(new Set(ids).size, 3);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
});

test('timers fire in due order with the clock at their due time, and are removed', () => {
  const world = new FakeWorld({ nowMs: 1_000 });
  world.exec((ctx) => {
    ctx.scheduleTimer(5_000, { $case: 'sleepNodeMatured', value: { nodeRunId: { threadRunNumber: 0, position: 2 } } });
    ctx.scheduleTimer(3_000, { $case: 'sleepNodeMatured', value: { nodeRunId: { threadRunNumber: 0, position: 1 } } });
    return undefined;
  }, body);
  assert.equal(world.timers().length, 2);
  const seen: Array<[number, number | undefined]> = [];
  const fired = world.fireTimersUntil((ctx) => {
    const b = ctx.command.body;
    assert.equal(b?.$case, 'sleepNodeMatured');
    if (b?.$case === 'sleepNodeMatured') seen.push([ctx.nowMs, b.value.nodeRunId?.position]);
    return undefined;
  }, 4_000);
  assert.equal(fired, 1);
  assert.deepEqual(seen, [[3_000, 1]]);
  assert.equal(world.timers().length, 1);
  assert.equal(world.nowMs, 4_000);
});

test('scheduled tasks are stored, recorded as effects and removed by unschedule', () => {
  const world = new FakeWorld();
  const task = ScheduledTask.fromPartial({ taskRunId, attemptNumber: 0 });
  const { ctx } = world.execWithContext((c) => {
    c.scheduleTask('greet', task);
    return undefined;
  }, body);
  assert.equal(ctx.tasksScheduled.length, 1);
  assert.equal(world.queuedTasks().length, 1);
  assert.equal(world.effects[0]?.kind, 'task-scheduled');
  world.exec((c) => {
    c.unscheduleTask('greet', task);
    c.unscheduleTask('greet', task);
    return undefined;
  }, body);
  assert.equal(world.queuedTasks().length, 0);
  // As in the engine, removal is unconditional; removing twice is harmless for the queue.
  assert.deepEqual(world.effects.map((e) => e.kind), ['task-scheduled', 'task-unscheduled', 'task-unscheduled']);
});
