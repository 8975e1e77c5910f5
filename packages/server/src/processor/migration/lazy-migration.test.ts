import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, VariableType, WfRun, WfSpec, type WorkflowMigrationPlan } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { applyCommand } from '../apply.ts';
import { ApiError, Code } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { wfSpecIdPointer } from '../wf-spec/pointer-codec.ts';
import { a, chain, installExternalEventDef, installTaskDef, n, v, varDef } from '../testing/wf-spec-builder.ts';
import { finishTask, taskOfThread, tn, type ThreadDef } from '../wf-run/thread-fixtures.ts';

function world(): FakeWorld {
  const w = new FakeWorld();
  installTaskDef(w, 'work', [], 'void');
  installTaskDef(w, 'num-task', [['n', VariableType.INT]], 'void');
  installExternalEventDef(w, 'go');
  installExternalEventDef(w, 'go-child');
  return w;
}

/** Installs one version of a multi-thread WfSpec (entrypoint thread named 'entrypoint'). */
function installVersion(w: FakeWorld, name: string, majorVersion: number, threads: Record<string, ThreadDef>): void {
  const threadSpecs: Record<string, unknown> = {};
  for (const [threadName, t] of Object.entries(threads)) {
    threadSpecs[threadName] = { nodes: t.nodes, variableDefs: t.variableDefs ?? [], interruptDefs: t.interruptDefs ?? [] };
  }
  const id = { name, majorVersion, revision: 0 };
  // fromPartial fills every nested default; the map's values are ThreadSpec partials.
  const spec = WfSpec.fromPartial({ id, entrypointThreadName: 'entrypoint', threadSpecs: threadSpecs as WfSpec['threadSpecs'] });
  w.put(Records.wfSpec, keys.wfSpecKey(w.tenant, id), spec);
  w.put(wfSpecIdPointer, keys.wfSpecLatestKey(w.tenant, name), id);
  w.put(wfSpecIdPointer, keys.wfSpecMajorLatestKey(w.tenant, name, majorVersion), id);
}

function putPlan(w: FakeWorld, name: string, wfSpecName: string, threadMigrations: Record<string, { newThreadName: string; nodeMigrations: Record<string, { newNodeName: string }> }>): WorkflowMigrationPlan {
  const bytes = w.exec(applyCommand, {
    $case: 'putWorkflowMigrationPlan',
    value: { name, oldWfSpec: { name: wfSpecName, majorVersion: 0, revision: 0 }, majorVersion: 1, revision: 0, threadMigrations },
  });
  if (bytes === undefined) throw new Error('no plan');
  return Records.workflowMigrationPlan.decode(bytes);
}

function run(w: FakeWorld, wfSpecName: string, id: string): WfRunDriver {
  w.exec(applyCommand, { $case: 'runWf', value: { wfSpecName, majorVersion: 0, revision: 0, id, variables: {} } });
  return new WfRunDriver(w, id);
}

function apply(w: FakeWorld, plan: string, id: string): WfRun {
  const bytes = w.exec(applyCommand, { $case: 'applyWorkflowMigrationPlan', value: { id: { name: plan }, wfRunId: { id }, migrationVarsByThread: {} } });
  return WfRun.decode(bytes ?? new Uint8Array());
}

function apiError(fn: () => unknown): ApiError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  return undefined;
}

test('a thread at an unmapped node migrates later, when it arrives at a mapped node', () => {
  const w = world();
  installVersion(w, 'flow', 0, { entrypoint: { nodes: chain(['0-entry', n.entrypoint()], ['1-work', n.task('work')], ['2-wait-old', n.externalEvent('go')], ['3-exit', n.exit()]) } });
  installVersion(w, 'flow', 1, { entrypoint: { nodes: chain(['0-entry', n.entrypoint()], ['1-wait-new', n.externalEvent('go')], ['2-exit', n.exit()]) } });
  putPlan(w, 'p', 'flow', { entrypoint: { newThreadName: 'entrypoint', nodeMigrations: { '2-wait-old': { newNodeName: '1-wait-new' } } } });
  const d = run(w, 'flow', 'lazy-1');

  const stamped = apply(w, 'p', 'lazy-1');
  assert.equal(stamped.workflowMigrationPlanId?.name, 'p', 'the plan waits on the WfRun');
  assert.equal(stamped.wfSpecId?.majorVersion, 0);
  assert.equal(stamped.threadRuns[0]?.wfSpecId?.majorVersion, 0);
  const again = apiError(() => apply(w, 'p', 'lazy-1'));
  assert.equal(again?.code, Code.FAILED_PRECONDITION);
  assert.match(again?.message ?? '', /already in progress/);

  finishTask(d, 0, { output: v.null() });
  const moved = d.mustWfRun();
  assert.equal(d.nodeRun(2)?.nodeName, '1-wait-new', 'arrived at the mapped node of the new version instead of 2-wait-old');
  assert.equal(d.nodeRun(2)?.wfSpecId?.majorVersion, 1);
  assert.equal(moved.wfSpecId?.majorVersion, 1);
  assert.deepEqual(moved.oldWfSpecVersions, [{ name: 'flow', majorVersion: 0, revision: 0 }]);
  assert.equal(moved.workflowMigrationPlanId, undefined, 'no live thread is left on the old version');
  d.putEvent('go', v.null(), 'g-1');
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('only a child thread migrates: the WfRun keeps its version, and the plan while old threads live', () => {
  const w = world();
  const entry: ThreadDef = { nodes: chain(['0-entry', n.entrypoint()], ['1-spawn', tn.startThread('child')], ['2-exit', n.exit()]) };
  installVersion(w, 'kids', 0, { entrypoint: entry, child: { nodes: chain(['0-entry', n.entrypoint()], ['1-go', n.externalEvent('go-child')], ['2-exit', n.exit()]) } });
  installVersion(w, 'kids', 1, { entrypoint: entry, child: { nodes: chain(['0-entry', n.entrypoint()], ['1-work', n.task('work')], ['2-exit', n.exit()]) } });
  putPlan(w, 'kp', 'kids', { child: { newThreadName: 'child', nodeMigrations: { '1-go': { newNodeName: '1-work' } } } });
  const d = run(w, 'kids', 'kid-1');
  const answered = apply(w, 'kp', 'kid-1');
  assert.equal(answered.wfSpecId?.majorVersion, 0, 'the entrypoint did not move, so neither did the WfRun');
  assert.equal(answered.threadRuns[1]?.wfSpecId?.majorVersion, 1);
  assert.equal(answered.workflowMigrationPlanId?.name, 'kp', 'the entrypoint still runs the old version');
  assert.equal(d.nodeRun(1, 1)?.status, LHStatus.HALTED, 'the waiting NodeRun halted and stays on the old version');
  assert.equal(d.nodeRun(1, 1)?.wfSpecId?.majorVersion, 0);
  assert.equal(d.nodeRun(2, 1)?.nodeName, '1-work');

  finishTask(d, 1, { output: v.null() });
  const done = d.mustWfRun();
  assert.equal(done.status, LHStatus.COMPLETED);
  assert.equal(done.workflowMigrationPlanId, undefined);
  assert.deepEqual(done.oldWfSpecVersions, []);
});

test('a thread waits for the threads its plan depends on; a WfRun of another version is refused', () => {
  const w = world();
  installVersion(w, 'dep', 0, {
    entrypoint: { nodes: chain(['0-entry', n.entrypoint()], ['1-spawn', tn.startThread('child')], ['2-work', n.task('work')], ['3-wait-old', n.externalEvent('go')], ['4-exit', n.exit()]) },
    child: { nodes: chain(['0-entry', n.entrypoint()], ['1-go', n.externalEvent('go-child')], ['2-exit', n.exit()]) },
  });
  installVersion(w, 'dep', 1, {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-spawn', tn.startThread('child')], ['2-wait-new', n.externalEvent('go')], ['3-exit', n.exit()]),
      variableDefs: [varDef('num', VariableType.INT, { defaultValue: v.int(7) })],
    },
    child: { nodes: chain(['0-entry', n.entrypoint()], ['1-use', n.task('num-task', [a.variable('num')])], ['2-exit', n.exit()]) },
  });
  const plan = putPlan(w, 'dp', 'dep', {
    entrypoint: { newThreadName: 'entrypoint', nodeMigrations: { '3-wait-old': { newNodeName: '2-wait-new' } } },
    child: { newThreadName: 'child', nodeMigrations: { '1-go': { newNodeName: '1-use' } } },
  });
  assert.deepEqual(plan.threadMigrations['child']?.threadSpecDependencies, ['entrypoint']);
  const d = run(w, 'dep', 'dep-1');
  const answered = apply(w, 'dp', 'dep-1');
  assert.equal(answered.threadRuns[1]?.wfSpecId?.majorVersion, 0, 'the child waits: no thread runs the new entrypoint yet');

  finishTask(d, 0, { output: v.null() });
  const moved = d.mustWfRun();
  assert.deepEqual(moved.threadRuns.map((t) => t.wfSpecId?.majorVersion), [1, 1]);
  assert.equal(d.variable('num', 0)?.value?.value?.value, 7n, 'the new entrypoint variable was created with its default');
  assert.equal(taskOfThread(w, 1).variables[0]?.value?.value?.value, 7n, 'the child reads it from its new ThreadSpec');

  installVersion(w, 'other', 0, { entrypoint: { nodes: chain(['0-entry', n.entrypoint()], ['1-go', n.externalEvent('go')], ['2-exit', n.exit()]) } });
  run(w, 'other', 'other-1');
  const wrong = apiError(() => apply(w, 'dp', 'other-1'));
  assert.equal(wrong?.code, Code.FAILED_PRECONDITION);
  assert.match(wrong?.message ?? '', /runs WfSpec other\/0\/0, but plan dp migrates dep\/0\/0/);
});

test('a migrated thread spawns threads of its new version, even ones the WfRun\'s version lacks', () => {
  const w = world();
  const entry: ThreadDef = { nodes: chain(['0-entry', n.entrypoint()], ['1-spawn', tn.startThread('child')], ['2-exit', n.exit()]) };
  installVersion(w, 'grow', 0, { entrypoint: entry, child: { nodes: chain(['0-entry', n.entrypoint()], ['1-go', n.externalEvent('go-child')], ['2-exit', n.exit()]) } });
  installVersion(w, 'grow', 1, {
    entrypoint: entry,
    child: { nodes: chain(['0-entry', n.entrypoint()], ['1-spawn', tn.startThread('grand')], ['2-exit', n.exit()]) },
    grand: { nodes: chain(['0-entry', n.entrypoint()], ['1-work', n.task('work')], ['2-exit', n.exit()]) },
  });
  putPlan(w, 'gp', 'grow', { child: { newThreadName: 'child', nodeMigrations: { '1-go': { newNodeName: '1-spawn' } } } });
  const d = run(w, 'grow', 'grow-1');
  const answered = apply(w, 'gp', 'grow-1');
  assert.equal(answered.wfSpecId?.majorVersion, 0);
  const grand = answered.threadRuns.find((t) => t.number === 2);
  assert.equal(grand?.threadSpecName, 'grand');
  assert.equal(grand?.wfSpecId?.majorVersion, 1, 'started on its parent\'s version');
  finishTask(d, 2, { output: v.null() });
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});
