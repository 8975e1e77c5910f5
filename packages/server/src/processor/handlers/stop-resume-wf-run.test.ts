import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, TaskStatus } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { ApiError, Code } from '../api-error.ts';
import { applyCommand } from '../apply.ts';
import { a, chain, installTaskDef, installWfSpec, n, v } from '../testing/wf-spec-builder.ts';

function twoTasks(): { world: FakeWorld; d: WfRunDriver } {
  const world = new FakeWorld();
  installTaskDef(world, 't');
  installWfSpec(
    world,
    'two',
    chain(['entry', n.entrypoint()], ['t1', n.task('t')], ['nap', n.sleepSeconds(a.lit(v.int(10)))], ['t2', n.task('t')], ['exit', n.exit()]),
  );
  const d = new WfRunDriver(world, 'w');
  d.run('two');
  return { world, d };
}

test('stopping while a task runs: HALTING until the report, then HALTED; resume follows the finished task', () => {
  const { d } = twoTasks();
  const claimed = d.claim(d.queuedTask() ?? assert.fail());
  d.stop();
  let wfRun = d.mustWfRun();
  assert.equal(wfRun.threadRuns[0]?.status, LHStatus.HALTING);
  assert.equal(wfRun.status, LHStatus.HALTING);
  assert.equal(wfRun.threadRuns[0]?.haltReasons[0]?.reason?.$case, 'manualHalt');
  assert.equal(d.nodeRun(1)?.status, LHStatus.HALTING);

  // The running task keeps running and its report is applied.
  d.report(claimed, TaskStatus.TASK_SUCCESS);
  assert.equal(d.taskRunOfNode(1).status, TaskStatus.TASK_SUCCESS);
  wfRun = d.mustWfRun();
  assert.equal(wfRun.status, LHStatus.HALTED);
  assert.equal(wfRun.threadRuns[0]?.status, LHStatus.HALTED);
  assert.equal(wfRun.threadRuns[0]?.currentNodePosition, 1); // did not move on
  assert.equal(d.nodeRun(1)?.status, LHStatus.HALTED);

  d.resume();
  wfRun = d.mustWfRun();
  assert.equal(wfRun.status, LHStatus.RUNNING);
  assert.equal(wfRun.threadRuns[0]?.haltReasons.length, 0);
  assert.equal(d.nodeRun(1)?.status, LHStatus.COMPLETED);
  assert.equal(d.nodeRun(2)?.nodeName, 'nap');
});

test('stopping a sleeping WfRun halts at once; the timer marks it matured and resume completes it', () => {
  const { world, d } = twoTasks();
  d.succeedNext();
  d.stop();
  assert.equal(d.mustWfRun().status, LHStatus.HALTED);
  assert.equal(d.nodeRun(2)?.status, LHStatus.HALTED);
  d.stop(); // a second stop changes nothing
  assert.equal(d.mustWfRun().threadRuns[0]?.haltReasons.length, 1);
  assert.equal(d.fireTimersUntil(world.nowMs + 10_000), 1);
  assert.equal(d.mustWfRun().status, LHStatus.HALTED);
  assert.equal(d.nodeRun(3), undefined);
  d.resume();
  assert.equal(d.nodeRun(2)?.status, LHStatus.COMPLETED);
  assert.equal(d.nodeRun(3)?.nodeName, 't2');
  d.succeedNext();
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('stop and resume refuse unknown WfRuns and threads', () => {
  const { world } = twoTasks();
  const codeOf = (fn: () => unknown): number | undefined => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ApiError) return e.code;
      throw e;
    }
    return undefined;
  };
  assert.equal(codeOf(() => world.exec(applyCommand, { $case: 'stopWfRun', value: { wfRunId: { id: 'nope' }, threadRunNumber: 0 } })), Code.NOT_FOUND);
  assert.equal(codeOf(() => world.exec(applyCommand, { $case: 'stopWfRun', value: { wfRunId: { id: 'w' }, threadRunNumber: 3 } })), Code.INVALID_ARGUMENT);
  assert.equal(codeOf(() => world.exec(applyCommand, { $case: 'resumeWfRun', value: { wfRunId: { id: 'nope' }, threadRunNumber: 0 } })), Code.NOT_FOUND);
  assert.equal(codeOf(() => world.exec(applyCommand, { $case: 'resumeWfRun', value: { wfRunId: { id: 'w' }, threadRunNumber: -1 } })), Code.INVALID_ARGUMENT);
});
