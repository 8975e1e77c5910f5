import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, VariableMutationType, WfRunVariableAccessLevel, type Node, type ThreadVarDef, type WfRun, type WfRunId, type WfSpec } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { applyCommand } from '../apply.ts';
import { ApiError, Code } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { a, chain, edge, installExternalEventDef, installWfSpec, n, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';

const runChild = (wfSpecName: string, inputs: Record<string, ReturnType<typeof a.lit>> = {}): Partial<Node> => ({
  node: { $case: 'runChildWf', value: { wfSpec: { $case: 'wfSpecName', value: wfSpecName }, majorVersion: -1, inputs } },
});
const waitChild = (source: string): Partial<Node> => ({
  node: { $case: 'waitForChildWf', value: { childWfRunId: a.nodeOutput(source), childWfRunSourceNode: source } },
});
const exitWith = (assn: ReturnType<typeof a.lit>): Partial<Node> => ({
  node: { $case: 'exit', value: { result: { $case: 'returnContent', value: assn } } },
});
const inherited = (name: string, type: VariableType): ThreadVarDef => ({ ...varDef(name, type), accessLevel: WfRunVariableAccessLevel.INHERITED_VAR });

function setSpec(world: FakeWorld, spec: WfSpec): void {
  if (spec.id === undefined) throw new Error('spec without id');
  world.put(Records.wfSpec, keys.wfSpecKey(world.tenant, spec.id), spec);
}

function wfRunOf(world: FakeWorld, id: WfRunId): WfRun | undefined {
  return world.get(Records.wfRun, keys.wfRunKey(world.partition, world.tenant, id));
}

/** Parent: run 'child' with x=5, wait for it, store its output in `result`. */
function installParent(world: FakeWorld): void {
  installWfSpec(
    world,
    'parent',
    {
      entry: { ...n.entrypoint(), outgoingEdges: [edge('run')] },
      run: { ...runChild('child', { x: a.lit(v.int(5)) }), outgoingEdges: [edge('wait')] },
      wait: {
        ...waitChild('run'),
        outgoingEdges: [{ sinkNodeName: 'exit', edgeCondition: undefined, variableMutations: [
          { lhsName: 'result', operation: VariableMutationType.ASSIGN, rhsValue: { $case: 'nodeOutput', value: {} } },
        ] }],
      },
      exit: n.exit(),
    },
    [varDef('result', VariableType.INT), varDef('shared', VariableType.STR, { defaultValue: v.str('before') })],
  );
}

test('RUN_CHILD_WF + WAIT_FOR_CHILD_WF: the parent gets the child output; the child writes an inherited var', () => {
  const world = new FakeWorld();
  installParent(world);
  installWfSpec(world, 'child', {
    entry: { ...n.entrypoint(), outgoingEdges: [{ sinkNodeName: 'exit', edgeCondition: undefined, variableMutations: [
      { lhsName: 'shared', operation: VariableMutationType.ASSIGN, rhsValue: { $case: 'literalValue', value: v.str('from-child') } },
    ] }] },
    exit: exitWith(a.variable('x')),
  }, [varDef('x', VariableType.INT), inherited('shared', VariableType.STR)]);

  const d = new WfRunDriver(world, 'p1');
  const wfRun = d.run('parent');
  assert.equal(wfRun.status, LHStatus.COMPLETED);
  assert.equal(d.variable('result')?.value?.value?.value, 5n);
  assert.equal(d.variable('shared')?.value?.value?.value, 'from-child');

  const runNode = d.nodeRun(1);
  assert.equal(runNode?.nodeType?.$case, 'runChildWf');
  const childId = runNode?.nodeType?.$case === 'runChildWf' ? runNode.nodeType.value.childWfRunId : undefined;
  assert.equal(childId?.parentWfRunId?.id, 'p1');
  if (childId === undefined) return;
  const child = wfRunOf(world, childId);
  assert.equal(child?.status, LHStatus.COMPLETED);
  assert.equal(child?.parentTrigger?.triggeringNodeRun?.position, 1);
  assert.equal(child?.parentTrigger?.waitingNodeRun?.position, 2);
  // The child lives in its root's group.
  assert.ok(world.keysWithPrefix(keys.wfRunGroupPrefix(0, world.tenant, { id: 'p1' })).some((k) => k.includes(`p1_${childId.id}`)));
  const wait = d.nodeRun(2);
  assert.equal(wait?.nodeType?.$case === 'waitForChildWf' ? wait.nodeType.value.childWfRunId?.id : undefined, childId.id);
});

test('a child that finishes later wakes its waiting parent through a follow-up command', () => {
  const world = new FakeWorld();
  installParent(world);
  installExternalEventDef(world, 'go');
  installWfSpec(world, 'child', chain(['entry', n.entrypoint()], ['evt', n.externalEvent('go')], ['exit', exitWith(a.lit(v.int(42)))]), [
    varDef('x', VariableType.INT),
  ]);
  const d = new WfRunDriver(world, 'p2');
  assert.equal(d.run('parent').status, LHStatus.RUNNING);
  const runNode = d.nodeRun(1);
  const childId = runNode?.nodeType?.$case === 'runChildWf' ? runNode.nodeType.value.childWfRunId : undefined;
  if (childId === undefined) throw new Error('no child id');
  assert.equal(wfRunOf(world, childId)?.status, LHStatus.RUNNING);

  world.exec(applyCommand, { $case: 'putExternalEvent', value: { wfRunId: childId, externalEventDefId: { name: 'go' }, guid: 'g1', content: v.null() } });
  assert.equal(wfRunOf(world, childId)?.status, LHStatus.COMPLETED);
  assert.equal(d.mustWfRun().status, LHStatus.RUNNING, 'woken only by the follow-up command');
  world.fireTimersUntil(applyCommand, world.nowMs);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  assert.equal(d.variable('result')?.value?.value?.value, 42n);
});

test('a child ending in EXCEPTION rethrows its failure at WAIT_FOR_CHILD_WF', () => {
  const world = new FakeWorld();
  installParent(world);
  installWfSpec(world, 'child', chain(['entry', n.entrypoint()], ['exit', n.exitFailing('my-oops', 'it broke')]), [varDef('x', VariableType.INT)]);
  const d = new WfRunDriver(world, 'p3');
  const wfRun = d.run('parent');
  assert.equal(wfRun.status, LHStatus.EXCEPTION);
  const failure = d.nodeRun(2)?.failures[0];
  assert.equal(failure?.failureName, 'my-oops');
  assert.equal(failure?.message, 'Child WfRun failed: it broke');
});

test('RUN_CHILD_WF of a WfSpec that does not exist fails with CHILD_FAILURE', () => {
  const world = new FakeWorld();
  installParent(world);
  const d = new WfRunDriver(world, 'p4');
  assert.equal(d.run('parent').status, LHStatus.ERROR);
  assert.equal(d.nodeRun(1)?.failures[0]?.failureName, 'CHILD_FAILURE');
});

function codeOf(fn: () => unknown): { code: number; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

test('RunWf with parent_wf_run_id: the parent must exist and be of the parent WfSpec; inherited vars are shared', () => {
  const world = new FakeWorld();
  installWfSpec(world, 'boss', chain(['entry', n.entrypoint()], ['evt', n.externalEvent('never')], ['exit', n.exit()]), [
    varDef('counter', VariableType.INT, { defaultValue: v.int(1) }),
  ]);
  installWfSpec(world, 'other', chain(['entry', n.entrypoint()], ['exit', n.exit()]));
  installExternalEventDef(world, 'never');
  const kid = installWfSpec(world, 'kid', {
    entry: { ...n.entrypoint(), outgoingEdges: [{ sinkNodeName: 'exit', edgeCondition: undefined, variableMutations: [
      { lhsName: 'counter', operation: VariableMutationType.ADD, rhsValue: { $case: 'literalValue', value: v.int(10) } },
    ] }] },
    exit: exitWith(a.variable('counter')),
  }, [inherited('counter', VariableType.INT)]);
  kid.parentWfSpec = { wfSpecName: 'boss', wfSpecMajorVersion: 0 };
  setSpec(world, kid);

  new WfRunDriver(world, 'boss-1').run('boss');
  new WfRunDriver(world, 'other-1').run('other');
  const run = (id: string, parent?: WfRunId, spec = 'kid') =>
    world.exec(applyCommand, { $case: 'runWf', value: { wfSpecName: spec, id, variables: {}, parentWfRunId: parent } });

  const noParent = codeOf(() => run('k0'));
  assert.equal(noParent?.code, Code.INVALID_ARGUMENT);
  assert.match(noParent?.message ?? '', /requires a parent WfRun ID from WfSpec boss/);
  const missing = codeOf(() => run('k1', { id: 'nobody' }));
  assert.equal(missing?.code, Code.FAILED_PRECONDITION);
  assert.match(missing?.message ?? '', /Parent WfRun of type boss with id nobody not found/);
  const wrongType = codeOf(() => run('k2', { id: 'other-1' }));
  assert.equal(wrongType?.code, Code.INVALID_ARGUMENT);
  assert.match(wrongType?.message ?? '', /incorrect type other but should be boss/);
  const notAChild = codeOf(() => run('k3', { id: 'boss-1' }, 'other'));
  assert.equal(notAChild?.code, Code.INVALID_ARGUMENT);
  assert.match(notAChild?.message ?? '', /does not refer to a parent WfSpec/);

  run('k4', { id: 'boss-1' });
  const childId = { id: 'k4', parentWfRunId: { id: 'boss-1' } };
  const child = wfRunOf(world, childId);
  assert.equal(child?.status, LHStatus.COMPLETED);
  assert.equal(child?.threadRuns[0]?.output?.value?.value, 11n);
  const parentVar = world.get(Records.variable, keys.variableKey(0, world.tenant, { wfRunId: { id: 'boss-1' }, threadRunNumber: 0, name: 'counter' }));
  assert.equal(parentVar?.value?.value?.value, 11n);
  // The child stores no copy of an inherited variable.
  assert.equal(world.get(Records.variable, keys.variableKey(0, world.tenant, { wfRunId: childId, threadRunNumber: 0, name: 'counter' })), undefined);
});

test('retention: a terminated WfRun is deleted seconds_after_wf_termination later', () => {
  const world = new FakeWorld();
  const spec = installWfSpec(world, 'short-lived', chain(['entry', n.entrypoint()], ['exit', n.exit()]), [varDef('x', VariableType.INT)]);
  spec.retentionPolicy = { wfGcPolicy: { $case: 'secondsAfterWfTermination', value: 2n } };
  setSpec(world, spec);
  const d = new WfRunDriver(world, 'r1');
  assert.equal(d.run('short-lived').status, LHStatus.COMPLETED);
  world.fireTimersUntil(applyCommand, world.nowMs + 1_999);
  assert.notEqual(d.wfRun(), undefined, 'kept until the retention time');
  world.fireTimersUntil(applyCommand, world.nowMs + 1);
  assert.equal(d.wfRun(), undefined);
  assert.deepEqual(world.keysWithPrefix(keys.wfRunGroupPrefix(0, world.tenant, { id: 'r1' })), []);
});
