import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, WfRun, WorkflowMigrationPlan } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { applyCommand } from '../apply.ts';
import { ApiError, Code } from '../api-error.ts';
import { a, chain, installExternalEventDef, installWfSpec, n, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';

function setup(): FakeWorld {
  const world = new FakeWorld();
  installExternalEventDef(world, 'go');
  installWfSpec(world, 'flow', chain(['entry', n.entrypoint()], ['wait-old', n.externalEvent('go')], ['exit', n.exit()]));
  installWfSpec(
    world,
    'flow',
    chain(['entry', n.entrypoint()], ['wait-new', n.externalEvent('go')], ['exit', { node: { $case: 'exit', value: { result: { $case: 'returnContent', value: a.variable('note') } } } }]),
    [varDef('note', VariableType.STR, { defaultValue: v.str('default') })],
    { majorVersion: 1, revision: 0 },
  );
  return world;
}

function putPlan(world: FakeWorld, nodeMigrations: Record<string, { newNodeName: string }> = { 'wait-old': { newNodeName: 'wait-new' } }): WorkflowMigrationPlan {
  const bytes = world.exec(applyCommand, {
    $case: 'putWorkflowMigrationPlan',
    value: {
      name: 'to-v1',
      oldWfSpec: { name: 'flow', majorVersion: 0, revision: 0 },
      majorVersion: 1,
      revision: 0,
      threadMigrations: { entrypoint: { newThreadName: 'entrypoint', nodeMigrations } },
    },
  });
  if (bytes === undefined) throw new Error('no plan');
  return WorkflowMigrationPlan.decode(bytes);
}

function runV0(world: FakeWorld, id: string): WfRunDriver {
  world.exec(applyCommand, { $case: 'runWf', value: { wfSpecName: 'flow', majorVersion: 0, revision: 0, id, variables: {} } });
  return new WfRunDriver(world, id);
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

test('a WfRun waiting at an EXTERNAL_EVENT moves to the new version and completes there', () => {
  const world = setup();
  const plan = putPlan(world);
  assert.equal(plan.threadMigrations['entrypoint']?.newThreadName, 'entrypoint');
  const d = runV0(world, 'm1');
  assert.equal(d.mustWfRun().wfSpecId?.majorVersion, 0);

  const bytes = world.exec(applyCommand, {
    $case: 'applyWorkflowMigrationPlan',
    value: { id: { name: 'to-v1' }, wfRunId: { id: 'm1' }, migrationVarsByThread: { entrypoint: { varAssignmentByVarName: { note: a.lit(v.str('migrated')) } } } },
  });
  const answered = WfRun.decode(bytes ?? new Uint8Array());
  assert.equal(answered.wfSpecId?.majorVersion, 1);
  assert.deepEqual(answered.oldWfSpecVersions, [{ name: 'flow', majorVersion: 0, revision: 0 }]);
  assert.equal(answered.workflowMigrationPlanId, undefined, 'the migration finished within the command');
  assert.equal(d.nodeRun(1)?.status, LHStatus.HALTED);
  assert.equal(d.nodeRun(2)?.nodeName, 'wait-new');
  assert.equal(d.mustWfRun().threadRuns[0]?.wfSpecId?.majorVersion, 1);

  d.putEvent('go', v.null(), 'e1');
  const done = d.mustWfRun();
  assert.equal(done.status, LHStatus.COMPLETED);
  assert.equal(done.threadRuns[0]?.output?.value?.value, 'migrated');
});

test('upstream preconditions: unknown WfRun or plan, terminated WfRun, an unmapped waiting node', () => {
  const world = setup();
  const apply = (wfRun: string, plan = 'to-v1') => () =>
    world.exec(applyCommand, { $case: 'applyWorkflowMigrationPlan', value: { id: { name: plan }, wfRunId: { id: wfRun }, migrationVarsByThread: {} } });
  putPlan(world);
  assert.equal(apiError(apply('nobody'))?.code, Code.NOT_FOUND);
  runV0(world, 'm2');
  assert.equal(apiError(apply('m2', 'no-plan'))?.code, Code.NOT_FOUND);
  const badVar = apiError(() =>
    world.exec(applyCommand, {
      $case: 'applyWorkflowMigrationPlan',
      value: { id: { name: 'to-v1' }, wfRunId: { id: 'm2' }, migrationVarsByThread: { entrypoint: { varAssignmentByVarName: { ghost: a.lit(v.int(1)) } } } },
    }),
  );
  assert.equal(badVar?.code, Code.INVALID_ARGUMENT);
  assert.match(badVar?.message ?? '', /'ghost' is not in scope/);

  const d3 = runV0(world, 'm3');
  d3.putEvent('go', v.null(), 'e3');
  const done = apiError(apply('m3'));
  assert.equal(done?.code, Code.FAILED_PRECONDITION);
  assert.match(done?.message ?? '', /has status COMPLETED and cannot be migrated/);

  // Migrating from EXIT is refused when the plan is put.
  const exitPlan = apiError(() => putPlan(world, { exit: { newNodeName: 'wait-new' } }));
  assert.equal(exitPlan?.code, Code.INVALID_ARGUMENT);
  assert.match(exitPlan?.message ?? '', /EXIT nodes are not migratable/);
});
