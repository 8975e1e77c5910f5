import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from '@filly/proto/internal';
import { SubmitQueue, laneOf, type CommandLane, type PendingCommand } from './submit-queue.ts';

const item = (name: string, lane: CommandLane): PendingCommand & { name: string } => ({
  name, payload: new Uint8Array([1]), resolve: () => undefined, reject: () => undefined, lane,
});
const names = (xs: PendingCommand[]): string[] => xs.map((x) => (x as PendingCommand & { name: string }).name);

test('fired timers are taken first, then claims and reports, then new work, each lane in arrival order', () => {
  const q = new SubmitQueue(10);
  const arrivals = [['run1', 'new'], ['claim1', 'urgent'], ['timer1', 'timer'], ['run2', 'new'], ['report1', 'urgent'], ['timer2', 'timer']] as const;
  for (const [name, lane] of arrivals) assert.ok(q.push(item(name, lane)));
  assert.equal(q.length, 6);
  assert.deepEqual(names(q.take(4)), ['timer1', 'timer2', 'claim1', 'report1']);
  assert.deepEqual(names(q.take(4)), ['run1', 'run2']);
  assert.equal(q.length, 0);
});

test('each lane has its own bound, so new work cannot crowd out timers', () => {
  const q = new SubmitQueue(2);
  assert.ok(q.push(item('a', 'new')));
  assert.ok(q.push(item('b', 'new')));
  assert.equal(q.push(item('c', 'new')), false, 'new-work lane full');
  assert.ok(q.push(item('t', 'timer')), 'the timer lane still takes a fired timer');
  assert.ok(q.push(item('r', 'urgent')), 'the urgent lane still takes a report');
  assert.equal(q.length, 4);
});

test('commands put back go ahead of those queued since, in their own lanes and order', () => {
  const q = new SubmitQueue(2);
  for (const [name, lane] of [['t1', 'timer'], ['c1', 'urgent'], ['r1', 'new'], ['r2', 'new']] as const) assert.ok(q.push(item(name, lane)));
  const taken = q.take(4);
  assert.ok(q.push(item('t2', 'timer')));
  assert.ok(q.push(item('r3', 'new')));
  q.putBack(taken.slice(1));
  assert.equal(q.length, 5, 'put back even though the new-work lane is over its bound');
  assert.deepEqual(names(q.take(10)), ['t2', 'c1', 'r1', 'r2', 'r3']);
  // Put back into a lane whose consumed slots can hold them.
  for (const name of ['x1', 'x2']) assert.ok(q.push(item(name, 'urgent')));
  const two = q.take(2);
  q.putBack(two);
  assert.deepEqual(names(q.take(10)), ['x1', 'x2']);
});

test('fired timers, claims and reports, and new requests wait in their own lanes', () => {
  const timer = Command.fromPartial({ firedTimerKey: Buffer.from('c/000/t/1/x'), body: { $case: 'runWf', value: {} } });
  assert.equal(laneOf(timer), 'timer');
  assert.equal(laneOf(Command.fromPartial({ body: { $case: 'taskClaimEvent', value: {} } })), 'urgent');
  assert.equal(laneOf(Command.fromPartial({ body: { $case: 'reportTaskRun', value: {} } })), 'urgent');
  assert.equal(laneOf(Command.fromPartial({ body: { $case: 'runWf', value: {} } })), 'new');
});
