import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, TaskStatus } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { ApiError, Code } from '../api-error.ts';
import { applyCommand } from '../apply.ts';
import { a, chain, installTaskDef, installWfSpec, n, primitive, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';
import { backoffDelayMs } from './task-runs.ts';

type TaskOpts = Parameters<typeof n.task>[2];

function oneTask(opts: TaskOpts, returns = primitive(VariableType.STR)): { world: FakeWorld; d: WfRunDriver } {
  const world = new FakeWorld({ nowMs: 10_000 });
  installTaskDef(world, 'work', [], returns);
  installWfSpec(world, 'one', chain(['entry', n.entrypoint()], ['work', n.task('work', [], opts)], ['exit', n.exit()]));
  const d = new WfRunDriver(world, 'w');
  d.run('one');
  return { world, d };
}

test('a failed attempt is retried at once without backoff, then succeeds', () => {
  const { d } = oneTask({ retries: 2 });
  const first = d.claim(d.queuedTask() ?? assert.fail('nothing queued'));
  d.report(first, TaskStatus.TASK_FAILED);
  let taskRun = d.taskRunOfNode(1);
  assert.equal(taskRun.totalAttempts, 3);
  assert.equal(taskRun.attempts.length, 2);
  assert.equal(taskRun.attempts[0]?.status, TaskStatus.TASK_FAILED);
  assert.equal(taskRun.attempts[1]?.status, TaskStatus.TASK_SCHEDULED);
  assert.equal(taskRun.status, TaskStatus.TASK_SCHEDULED);
  assert.equal(d.queuedTask()?.attemptNumber, 1);
  assert.equal(d.nodeRun(1)?.status, LHStatus.RUNNING);

  d.succeedNext(v.str('done'));
  taskRun = d.taskRunOfNode(1);
  assert.equal(taskRun.status, TaskStatus.TASK_SUCCESS);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('with exponential backoff the retry waits in TASK_PENDING for the computed delay', () => {
  const { world, d } = oneTask({ retries: 3, backoff: { baseIntervalMs: 1_000, multiplier: 2, maxDelayMs: 3_000 } });
  const expectedDelays = [1_000, 2_000, 3_000];
  for (const delay of expectedDelays) {
    const claimed = d.claim(d.queuedTask() ?? assert.fail('nothing queued'));
    const before = world.nowMs;
    d.report(claimed, TaskStatus.TASK_FAILED);
    const taskRun = d.taskRunOfNode(1);
    assert.equal(taskRun.status, TaskStatus.TASK_PENDING);
    assert.equal(d.queuedTask(), undefined);
    const retryTimers = world.timers().filter((t) => t.timer.command?.body?.$case === 'taskAttemptRetryReady');
    assert.equal(retryTimers.length, 1);
    assert.equal(Number(retryTimers[0]?.timer.dueMs), before + delay);
    // Nothing fires early; the timer queues the attempt at its due time.
    assert.equal(d.fireTimersUntil(before + delay - 1), 0);
    assert.equal(d.fireTimersUntil(before + delay), 1);
    assert.equal(d.queuedTask()?.attemptNumber, taskRun.attempts.length - 1);
  }
  // Out of retries: the fourth failure fails the NodeRun.
  d.report(d.claim(d.queuedTask() ?? assert.fail('nothing queued')), TaskStatus.TASK_FAILED);
  const wfRun = d.mustWfRun();
  assert.equal(wfRun.status, LHStatus.ERROR);
  assert.equal(d.nodeRun(1)?.failures[0]?.failureName, 'TASK_FAILURE');
  assert.equal(d.taskRunOfNode(1).status, TaskStatus.TASK_FAILED);
});

test('backoff delay follows min(base * multiplier^(n-1), max)', () => {
  assert.equal(backoffDelayMs(500, 3, 100_000, 1), 500);
  assert.equal(backoffDelayMs(500, 3, 100_000, 3), 4_500);
  assert.equal(backoffDelayMs(500, 3, 1_000, 3), 1_000);
});

test('a claimed attempt that never reports times out, is retried, and a late report is ignored', () => {
  const { world, d } = oneTask({ retries: 1, timeoutSeconds: 5 });
  const claimed = d.claim(d.queuedTask() ?? assert.fail('nothing queued'));
  const timeout = world.timers().find((t) => t.timer.command?.body?.$case === 'taskAttemptTimeout');
  assert.equal(Number(timeout?.timer.dueMs), world.nowMs + 5_000);
  assert.equal(d.fireTimersUntil(world.nowMs + 5_000), 1);
  let taskRun = d.taskRunOfNode(1);
  assert.equal(taskRun.attempts[0]?.status, TaskStatus.TASK_TIMEOUT);
  assert.equal(taskRun.attempts[1]?.status, TaskStatus.TASK_SCHEDULED);
  // The first worker reports after its timeout: ignored.
  d.report(claimed, TaskStatus.TASK_SUCCESS, { output: v.str('late') });
  taskRun = d.taskRunOfNode(1);
  assert.equal(taskRun.attempts[0]?.status, TaskStatus.TASK_TIMEOUT);
  assert.equal(d.nodeRun(1)?.status, LHStatus.RUNNING);
  // The retry times out too: the NodeRun fails with TIMEOUT.
  d.claim(d.queuedTask() ?? assert.fail('nothing queued'));
  d.fireTimersUntil(world.nowMs + 5_000);
  assert.equal(d.nodeRun(1)?.failures[0]?.failureName, 'TIMEOUT');
  assert.equal(d.mustWfRun().status, LHStatus.ERROR);
});

test('finishing an attempt deletes its timeout timer, so nothing fires for it later', () => {
  const { world, d } = oneTask({ timeoutSeconds: 5 });
  d.succeedNext(v.str('ok'));
  assert.equal(d.fireTimersUntil(world.nowMs + 10_000), 0);
  assert.equal(d.taskRunOfNode(1).status, TaskStatus.TASK_SUCCESS);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('a duplicate report is ignored and does not advance twice', () => {
  const { d } = oneTask({});
  const claimed = d.claim(d.queuedTask() ?? assert.fail('nothing queued'));
  d.report(claimed, TaskStatus.TASK_SUCCESS, { output: v.str('first') });
  d.report(claimed, TaskStatus.TASK_FAILED);
  const attempt = d.taskRunOfNode(1).attempts[0];
  assert.equal(attempt?.status, TaskStatus.TASK_SUCCESS);
  assert.equal(attempt?.result?.$case === 'output' ? attempt.result.value.value?.value : undefined, 'first');
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  assert.equal(d.nodeRuns().length, 3);
});

test('TASK_EXCEPTION fails with EXCEPTION and the business name; TASK_FAILED with ERROR', () => {
  const exn = oneTask({ retries: 5 });
  exn.d.report(exn.d.claim(exn.d.queuedTask() ?? assert.fail()), TaskStatus.TASK_EXCEPTION, {
    exception: { name: 'out-of-stock', message: 'no more', content: v.int(3) },
  });
  const wfRun = exn.d.mustWfRun();
  assert.equal(wfRun.status, LHStatus.EXCEPTION);
  assert.equal(wfRun.threadRuns[0]?.status, LHStatus.EXCEPTION);
  const failure = exn.d.nodeRun(1)?.failures[0];
  assert.equal(failure?.failureName, 'out-of-stock');
  assert.equal(failure?.message, 'no more');
  assert.equal(failure?.content?.value?.value, 3n);
  assert.equal(exn.d.nodeRun(1)?.status, LHStatus.EXCEPTION);
  assert.equal(exn.d.taskRunOfNode(1).attempts.length, 1); // exceptions are never retried

  const err = oneTask({});
  err.d.report(err.d.claim(err.d.queuedTask() ?? assert.fail()), TaskStatus.TASK_FAILED);
  assert.equal(err.d.mustWfRun().status, LHStatus.ERROR);
  assert.equal(err.d.nodeRun(1)?.status, LHStatus.ERROR);
  assert.equal(err.d.nodeRun(1)?.failures[0]?.failureName, 'TASK_FAILURE');
});

test('an output that does not fit the return type becomes TASK_OUTPUT_SERDE_ERROR', () => {
  const { d } = oneTask({ retries: 3 }, primitive(VariableType.INT));
  d.report(d.claim(d.queuedTask() ?? assert.fail()), TaskStatus.TASK_SUCCESS, { output: v.str('not an int') });
  const taskRun = d.taskRunOfNode(1);
  assert.equal(taskRun.status, TaskStatus.TASK_OUTPUT_SERDE_ERROR);
  assert.equal(taskRun.attempts.length, 1);
  assert.equal(taskRun.attempts[0]?.result?.$case, 'error');
  assert.equal(d.nodeRun(1)?.failures[0]?.failureName, 'VAR_MUTATION_ERROR');
  assert.equal(d.mustWfRun().status, LHStatus.ERROR);
});

test('a claim of an attempt that is no longer queued is refused with FAILED_PRECONDITION', () => {
  const { world, d } = oneTask({});
  const queued = d.queuedTask() ?? assert.fail();
  d.claim(queued);
  assert.throws(
    () => world.exec(applyCommand, { $case: 'taskClaimEvent', value: { taskRunId: queued.taskRunId, taskWorkerId: 'w2', taskWorkerVersion: undefined } }),
    (e: unknown) => e instanceof ApiError && e.code === Code.FAILED_PRECONDITION,
  );
});

test('reports for unknown TaskRuns or attempts are refused', () => {
  const { world, d } = oneTask({});
  const queued = d.claim(d.queuedTask() ?? assert.fail());
  const report = (taskGuid: string, attemptNumber: number) =>
    world.exec(applyCommand, {
      $case: 'reportTaskRun',
      value: { taskRunId: { wfRunId: { id: 'w' }, taskGuid }, status: TaskStatus.TASK_SUCCESS, attemptNumber, totalCheckpoints: 0 },
    });
  assert.throws(() => report('nope', 0), (e: unknown) => e instanceof ApiError && e.code === Code.NOT_FOUND);
  assert.throws(() => report(queued.taskRunId?.taskGuid ?? '', 1), (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT);
});

test('masked TaskDef inputs are flagged, the worker still gets the real value', () => {
  const world = new FakeWorld();
  installTaskDef(world, 'secret', [['password', VariableType.STR, { masked: true }], ['user', VariableType.STR]], 'void');
  installWfSpec(
    world,
    'masked',
    chain(['entry', n.entrypoint()], ['secret', n.task('secret', [a.variable('pw'), a.lit(v.str('bob'))])], ['exit', n.exit()]),
    [varDef('pw', VariableType.STR)],
  );
  const d = new WfRunDriver(world, 'w');
  d.run('masked', { pw: v.str('hunter2') });
  const task = d.queuedTask() ?? assert.fail();
  assert.deepEqual(task.variables.map((x) => [x.varName, x.value?.value?.value, x.masked]), [
    ['password', 'hunter2', true],
    ['user', 'bob', false],
  ]);
});

test('input resolution failure fails the NodeRun with VAR_SUB_ERROR and creates no TaskRun', () => {
  const world = new FakeWorld();
  installTaskDef(world, 'needs-int', [['n', VariableType.INT]]);
  installWfSpec(world, 'bad-input', chain(['entry', n.entrypoint()], ['t', n.task('needs-int', [a.variable('s')])], ['exit', n.exit()]), [
    varDef('s', VariableType.STR),
  ]);
  const d = new WfRunDriver(world, 'w');
  const wfRun = d.run('bad-input', { s: v.str('abc') });
  assert.equal(wfRun.status, LHStatus.ERROR);
  const nr = d.nodeRun(1);
  assert.equal(nr?.status, LHStatus.ERROR);
  assert.equal(nr?.failures[0]?.failureName, 'VAR_SUB_ERROR');
  assert.equal(nr?.nodeType?.$case === 'task' ? nr.nodeType.value.taskRunId : 'x', undefined);
  assert.equal(d.taskRuns().length, 0);
  assert.equal(world.queuedTasks().length, 0);
});
