import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LHStatus,
  PutCheckpointResponse,
  PutCheckpointResponse_FlowControlContinue as FlowControl,
  TaskStatus,
  type TaskRunId,
  type VariableValue,
} from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { ApiError, Code } from '../api-error.ts';
import { applyCommand } from '../apply.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { chain, installTaskDef, installWfSpec, n, v } from '../testing/wf-spec-builder.ts';

const T0 = 2_000_000;

function setup(): { w: FakeWorld; d: WfRunDriver } {
  const w = new FakeWorld({ nowMs: T0 });
  installTaskDef(w, 'work');
  installWfSpec(w, 'job', chain(['entry', n.entrypoint()], ['work', n.task('work', [], { retries: 1, timeoutSeconds: 10 })], ['exit', n.exit()]));
  const d = new WfRunDriver(w, 'job-1');
  d.run('job');
  return { w, d };
}

function checkpoint(w: FakeWorld, taskRunId: TaskRunId | undefined, taskAttempt: number, value: VariableValue = v.str('progress'), logs?: string): PutCheckpointResponse {
  const bytes = w.exec(applyCommand, { $case: 'putCheckpoint', value: { taskRunId, taskAttempt, value, logs } });
  assert.ok(bytes);
  return PutCheckpointResponse.decode(bytes);
}

test('the running attempt checkpoints: numbered from 0, stored, counted on the TaskRun', () => {
  const { w, d } = setup();
  const task = d.claim(d.queuedTask()!);
  const first = checkpoint(w, task.taskRunId, 0, v.int(1), 'started');
  assert.equal(first.flowControlContinueType, FlowControl.CONTINUE_TASK);
  assert.equal(first.createdCheckpoint?.id?.checkpointNumber, 0);
  assert.equal(first.createdCheckpoint?.logs, 'started');
  const second = checkpoint(w, task.taskRunId, 0, v.int(2));
  assert.equal(second.createdCheckpoint?.id?.checkpointNumber, 1);
  assert.equal(d.taskRunOfNode(1).totalCheckpoints, 2);
  const stored = w.get(Records.checkpoint, keys.checkpointKey(w.partition, w.tenant, { taskRun: task.taskRunId, checkpointNumber: 1 }));
  assert.equal(stored?.value?.value?.value, 2n);
  assert.equal(Number(stored?.createdAt?.seconds), T0 / 1000);
});

test('fencing: an attempt that is not the latest, or not RUNNING, is told STOP_TASK and stores nothing', () => {
  const { w, d } = setup();
  const queued = d.queuedTask()!;
  // Not claimed yet: the attempt is SCHEDULED.
  assert.equal(checkpoint(w, queued.taskRunId, 0).flowControlContinueType, FlowControl.STOP_TASK);
  const task = d.claim(queued);
  assert.equal(checkpoint(w, task.taskRunId, 1).flowControlContinueType, FlowControl.STOP_TASK);
  assert.equal(checkpoint(w, task.taskRunId, 0).flowControlContinueType, FlowControl.CONTINUE_TASK);
  // The attempt times out and is retried: the first worker is now stale.
  w.fireTimersUntil(applyCommand, T0 + 10_000);
  const tr = d.taskRunOfNode(1);
  assert.deepEqual(tr.attempts.map((a) => a.status), [TaskStatus.TASK_TIMEOUT, TaskStatus.TASK_SCHEDULED]);
  const stale = checkpoint(w, task.taskRunId, 0);
  assert.equal(stale.flowControlContinueType, FlowControl.STOP_TASK);
  assert.equal(stale.createdCheckpoint, undefined);
  assert.equal(d.taskRunOfNode(1).totalCheckpoints, 1);
  // The retry learns how many checkpoints exist and continues the numbering.
  const retry = d.queuedTask()!;
  assert.equal(retry.attemptNumber, 1);
  assert.equal(retry.totalObservedCheckpoints, 1);
  d.claim(retry);
  assert.equal(checkpoint(w, task.taskRunId, 1).createdCheckpoint?.id?.checkpointNumber, 1);
});

test('a checkpoint re-arms the attempt timeout', () => {
  const { w, d } = setup();
  const task = d.claim(d.queuedTask()!);
  w.advanceMs(8_000);
  checkpoint(w, task.taskRunId, 0);
  // The timer armed at the claim (due at +10 s) is stale now.
  w.fireTimersUntil(applyCommand, T0 + 17_999);
  assert.equal(d.taskRunOfNode(1).attempts[0]?.status, TaskStatus.TASK_RUNNING);
  w.fireTimersUntil(applyCommand, T0 + 18_000);
  assert.equal(d.taskRunOfNode(1).attempts[0]?.status, TaskStatus.TASK_TIMEOUT);
  d.report(task, TaskStatus.TASK_SUCCESS, { output: v.str('late') });
  assert.equal(d.taskRunOfNode(1).attempts[0]?.status, TaskStatus.TASK_TIMEOUT, 'a late report is ignored');
});

test('an unknown TaskRun is INVALID_ARGUMENT; deleting the WfRun deletes its checkpoints', () => {
  const { w, d } = setup();
  assert.throws(
    () => checkpoint(w, { wfRunId: { id: 'job-1' }, taskGuid: 'nope' }, 0),
    (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT,
  );
  const task = d.claim(d.queuedTask()!);
  checkpoint(w, task.taskRunId, 0);
  d.report(task, TaskStatus.TASK_SUCCESS);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  const prefix = keys.checkpointPrefix(w.partition, w.tenant, { id: 'job-1' });
  assert.equal(w.keysWithPrefix(prefix).length, 1);
  d.delete();
  assert.deepEqual(w.keysWithPrefix(prefix), []);
});
