import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, TaskStatus, ThreadType } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { a, chain, installTaskDef, installWfSpec, n, primitive, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';

function fiveTaskWorld(): FakeWorld {
  const world = new FakeWorld({ nowMs: 1_000_000 });
  installTaskDef(world, 'step', [['i', VariableType.INT]], primitive(VariableType.STR));
  installWfSpec(
    world,
    'five',
    chain(
      ['0-entrypoint-ENTRYPOINT', n.entrypoint()],
      ['1-step-TASK', n.task('step', [a.lit(v.int(1))])],
      ['2-step-TASK', n.task('step', [a.lit(v.int(2))])],
      ['3-step-TASK', n.task('step', [a.lit(v.int(3))])],
      ['4-step-TASK', n.task('step', [a.lit(v.int(4))])],
      ['5-step-TASK', n.task('step', [a.variable('x')])],
      ['6-exit-EXIT', n.exit()],
    ),
    [varDef('x', VariableType.INT, { defaultValue: v.int(42) })],
  );
  return world;
}

test('RunWf answers the WfRun after the first advance: entrypoint done, first task queued', () => {
  const world = fiveTaskWorld();
  const d = new WfRunDriver(world, 'run-1');
  const wfRun = d.run('five');
  assert.equal(wfRun.status, LHStatus.RUNNING);
  assert.equal(wfRun.threadRuns.length, 1);
  const thread = wfRun.threadRuns[0];
  assert.equal(thread?.number, 0);
  assert.equal(thread?.type, ThreadType.ENTRYPOINT);
  assert.equal(thread?.currentNodePosition, 1);
  assert.equal(Number(wfRun.startTime?.seconds), 1_000);

  const entry = d.nodeRun(0);
  assert.equal(entry?.nodeName, '0-entrypoint-ENTRYPOINT');
  assert.equal(entry?.status, LHStatus.COMPLETED);
  assert.equal(entry?.nodeType?.$case, 'entrypoint');
  const first = d.nodeRun(1);
  assert.equal(first?.status, LHStatus.RUNNING);
  assert.equal(first?.nodeType?.$case, 'task');

  const task = d.queuedTask();
  assert.ok(task);
  assert.equal(task.attemptNumber, 0);
  assert.equal(task.taskDefId?.name, 'step');
  assert.deepEqual(task.variables.map((x) => [x.varName, x.value?.value?.value]), [['i', 1n]]);
  assert.equal(task.source?.taskRunSource?.$case, 'taskNode');
  assert.equal(task.source?.wfSpecId?.name, 'five');
  const taskRun = d.taskRunOfNode(1);
  assert.equal(taskRun.status, TaskStatus.TASK_SCHEDULED);
  assert.equal(taskRun.totalAttempts, 1);
  assert.equal(taskRun.timeoutSeconds, 60);
  assert.equal(taskRun.attempts[0]?.status, TaskStatus.TASK_SCHEDULED);
  assert.equal(d.variable('x')?.value?.value?.value, 42n);
});

test('a five-task chain completes, one NodeRun per node at positions 0..6', () => {
  const world = fiveTaskWorld();
  const d = new WfRunDriver(world, 'run-2');
  d.run('five', { x: v.int(7) });
  const seen: bigint[] = [];
  for (let i = 0; i < 5; i++) {
    world.advanceMs(1_000);
    const claimed = d.succeedNext(v.str(`out-${i}`));
    const input = claimed.variables[0]?.value?.value;
    if (input?.$case === 'int') seen.push(input.value);
  }
  assert.deepEqual(seen, [1n, 2n, 3n, 4n, 7n]);
  const wfRun = d.mustWfRun();
  assert.equal(wfRun.status, LHStatus.COMPLETED);
  assert.equal(wfRun.threadRuns[0]?.status, LHStatus.COMPLETED);
  assert.equal(wfRun.threadRuns[0]?.currentNodePosition, 6);
  assert.equal(Number(wfRun.endTime?.seconds), 1_005);
  const nodeRuns = d.nodeRuns();
  assert.equal(nodeRuns.length, 7);
  assert.deepEqual(nodeRuns.map((nr) => nr.id?.position), [0, 1, 2, 3, 4, 5, 6]);
  assert.ok(nodeRuns.every((nr) => nr.status === LHStatus.COMPLETED));
  assert.equal(nodeRuns[6]?.nodeType?.$case, 'exit');
  const runs = d.taskRuns();
  assert.equal(runs.length, 5);
  assert.ok(runs.every((tr) => tr.status === TaskStatus.TASK_SUCCESS));
  const last = runs[4]?.attempts[0];
  assert.equal(last?.result?.$case === 'output' ? last.result.value.value?.value : undefined, 'out-4');
  assert.equal(last?.taskWorkerId, 'worker-1');
  assert.equal(d.queuedTask(), undefined);
});

test('the same commands on the same state write byte-identical records', () => {
  const play = (): FakeWorld => {
    const world = fiveTaskWorld();
    const d = new WfRunDriver(world, 'same');
    d.run('five');
    for (let i = 0; i < 3; i++) {
      world.advanceMs(250);
      d.succeedNext(v.str(`o${i}`));
    }
    return world;
  };
  const one = play();
  const two = play();
  assert.deepEqual([...one.store.keys()].sort(), [...two.store.keys()].sort());
  for (const [key, bytes] of one.store) assert.deepEqual(two.store.get(key), bytes, key);
});
