import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from '@filly/proto/internal';
import { SubmitQueue, advancesExistingWork, type PendingCommand } from './submit-queue.ts';

const item = (name: string, urgent: boolean): PendingCommand & { name: string } => ({
  name, payload: new Uint8Array([1]), resolve: () => undefined, reject: () => undefined, urgent,
});

test('urgent commands are taken first, each lane in arrival order', () => {
  const q = new SubmitQueue(10);
  for (const [name, urgent] of [['run1', false], ['timer1', true], ['run2', false], ['claim1', true]] as const) assert.ok(q.push(item(name, urgent)));
  assert.equal(q.length, 4);
  const names = (xs: PendingCommand[]): string[] => xs.map((x) => (x as PendingCommand & { name: string }).name);
  assert.deepEqual(names(q.take(3)), ['timer1', 'claim1', 'run1']);
  assert.deepEqual(names(q.take(3)), ['run2']);
  assert.equal(q.length, 0);
});

test('each lane has its own bound, so new work cannot crowd out timers', () => {
  const q = new SubmitQueue(2);
  assert.ok(q.push(item('a', false)));
  assert.ok(q.push(item('b', false)));
  assert.equal(q.push(item('c', false)), false, 'normal lane full');
  assert.ok(q.push(item('t', true)), 'the urgent lane still takes a fired timer');
  assert.equal(q.length, 3);
});

test('fired timers, claims and reports advance existing work; new requests do not', () => {
  const timer = Command.fromPartial({ firedTimerKey: Buffer.from('c/000/t/1/x'), body: { $case: 'runWf', value: {} } });
  assert.equal(advancesExistingWork(timer), true);
  assert.equal(advancesExistingWork(Command.fromPartial({ body: { $case: 'taskClaimEvent', value: {} } })), true);
  assert.equal(advancesExistingWork(Command.fromPartial({ body: { $case: 'reportTaskRun', value: {} } })), true);
  assert.equal(advancesExistingWork(Command.fromPartial({ body: { $case: 'runWf', value: {} } })), false);
});
