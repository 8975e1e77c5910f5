import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduledTask } from '@filly/proto';
import { ApiError } from '../../processor/api-error.ts';
import { TaskQueues } from './task-queues.ts';

const quiet = () => ({ errors: [] as string[], info: () => undefined, warn: () => undefined, error(_f: unknown, m: string) { this.errors.push(m); } });
const task = (id: string, seconds = 0): ScheduledTask =>
  ScheduledTask.fromPartial({ taskRunId: { wfRunId: { id }, taskGuid: 'g' }, createdAt: { seconds: BigInt(seconds), nanos: 0 } });
const idOf = (t: ScheduledTask): string => t.taskRunId?.wfRunId?.id ?? '';

test('tasks and pollers are matched first in, first out, never both waiting', () => {
  const q = new TaskQueues({ maxQueuedTasks: 10, maxWaiters: 10 }, quiet());
  for (const id of ['a', 'b', 'c']) q.onScheduled('t', 'greet', `k/${id}`, task(id));
  assert.equal(q.queuedCount('t', 'greet'), 3);
  assert.equal(q.queuedCount('other', 'greet'), 0, 'queues are per tenant');
  const got: string[] = [];
  q.waitForTask('t', 'greet', (x) => got.push(idOf(x)));
  q.onUnscheduled('t', 'greet', 'k/b');
  q.waitForTask('t', 'greet', (x) => got.push(idOf(x)));
  assert.deepEqual(got, ['a', 'c']);
  assert.equal(q.queuedCount('t', 'greet'), 0);
  q.waitForTask('t', 'greet', (x) => got.push(`1:${idOf(x)}`));
  const cancel = q.waitForTask('t', 'greet', (x) => got.push(`2:${idOf(x)}`));
  q.waitForTask('t', 'greet', (x) => got.push(`3:${idOf(x)}`));
  cancel();
  q.onScheduled('t', 'greet', 'k/d', task('d'));
  q.onScheduled('t', 'greet', 'k/e', task('e'));
  q.onScheduled('t', 'greet', 'k/f', task('f'));
  assert.deepEqual(got.slice(2), ['1:d', '3:e']);
  assert.equal(q.queuedCount('t', 'greet'), 1);
});

test('a duplicate schedule is ignored and the bounds give clear errors', () => {
  const logger = quiet();
  const q = new TaskQueues({ maxQueuedTasks: 2, maxWaiters: 1 }, logger);
  q.onScheduled('t', 'greet', 'k/a', task('a'));
  q.onScheduled('t', 'greet', 'k/a', task('a'));
  q.onScheduled('t', 'greet', 'k/b', task('b'));
  q.onScheduled('t', 'greet', 'k/c', task('c'));
  assert.equal(q.queuedCount('t', 'greet'), 2);
  assert.equal(logger.errors.length, 1);
  q.waitForTask('t', 'slow', () => undefined);
  assert.throws(() => q.waitForTask('t', 'slow', () => undefined), ApiError);
});

test('rebuild queues stored tasks oldest first', () => {
  const q = new TaskQueues({ maxQueuedTasks: 10, maxWaiters: 10 }, quiet());
  q.rebuild([
    { key: 'k/z', tenant: 't', taskDefName: 'greet', task: task('late', 30) },
    { key: 'k/y', tenant: 't', taskDefName: 'greet', task: task('early', 10) },
    { key: 'k/x', tenant: 't', taskDefName: 'greet', task: task('middle', 20) },
  ]);
  const got: string[] = [];
  for (let i = 0; i < 3; i++) q.waitForTask('t', 'greet', (x) => got.push(idOf(x)));
  assert.deepEqual(got, ['early', 'middle', 'late']);
});
