import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Comparator, LHStatus, VariableMutationType, type VariableAssignment } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { a, edge, installTaskDef, installWfSpec, n, primitive, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';

const lessThan = (name: string, limit: number): VariableAssignment => ({
  source: {
    $case: 'expression',
    value: { lhs: a.variable(name), operation: { $case: 'comparator', value: Comparator.LESS_THAN }, rhs: a.lit(v.int(limit)) },
  },
});
const greaterEq = (name: string, limit: number): VariableAssignment => ({
  source: {
    $case: 'expression',
    value: { lhs: a.variable(name), operation: { $case: 'comparator', value: Comparator.GREATER_THAN_EQ }, rhs: a.lit(v.int(limit)) },
  },
});

test('an if/else takes the first edge whose condition holds', () => {
  const world = new FakeWorld();
  installTaskDef(world, 'big', [], primitive(VariableType.STR));
  installTaskDef(world, 'small', [], primitive(VariableType.STR));
  installWfSpec(
    world,
    'branch',
    {
      entry: { ...n.entrypoint(), outgoingEdges: [edge('nop-1')] },
      'nop-1': { ...n.nop(), outgoingEdges: [edge('big', { condition: greaterEq('x', 10) }), edge('small')] },
      big: { ...n.task('big'), outgoingEdges: [edge('exit')] },
      small: { ...n.task('small'), outgoingEdges: [edge('exit')] },
      exit: n.exit(),
    },
    [varDef('x', VariableType.INT)],
  );
  const hi = new WfRunDriver(world, 'hi');
  hi.run('branch', { x: v.int(12) });
  assert.equal(hi.nodeRun(2)?.nodeName, 'big');
  const lo = new WfRunDriver(world, 'lo');
  lo.run('branch', { x: v.int(3) });
  assert.equal(lo.nodeRun(1)?.nodeName, 'nop-1');
  assert.equal(lo.nodeRun(1)?.nodeType?.$case, 'entrypoint'); // upstream records NOPs this way
  assert.equal(lo.nodeRun(2)?.nodeName, 'small');
});

test('a while loop runs its body until the condition fails, mutating the counter on the edge', () => {
  const world = new FakeWorld();
  installTaskDef(world, 'body', [['i', VariableType.INT]], primitive(VariableType.INT));
  const increment = {
    lhsName: 'i',
    operation: VariableMutationType.ADD,
    rhsValue: { $case: 'rhsAssignment' as const, value: a.lit(v.int(1)) },
  };
  installWfSpec(
    world,
    'loop',
    {
      entry: { ...n.entrypoint(), outgoingEdges: [edge('loop-start')] },
      'loop-start': { ...n.nop(), outgoingEdges: [edge('body', { condition: lessThan('i', 3) }), edge('exit')] },
      body: { ...n.task('body', [a.variable('i')]), outgoingEdges: [edge('loop-start', { mutations: [increment] })] },
      exit: n.exit(),
    },
    [varDef('i', VariableType.INT, { defaultValue: v.int(0) })],
  );
  const d = new WfRunDriver(world, 'w');
  d.run('loop');
  const inputs: unknown[] = [];
  for (let k = 0; k < 3; k++) inputs.push(d.succeedNext(v.int(k)).variables[0]?.value?.value?.value);
  assert.deepEqual(inputs, [0n, 1n, 2n]);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  assert.equal(d.variable('i')?.value?.value?.value, 3n);
  // entry, then (nop, body) x3, nop, exit
  assert.deepEqual(d.nodeRuns().map((nr) => nr.nodeName), ['entry', 'loop-start', 'body', 'loop-start', 'body', 'loop-start', 'body', 'loop-start', 'exit']);
});

test('no satisfied edge fails the NodeRun with VAR_SUB_ERROR and the WfRun with ERROR', () => {
  const world = new FakeWorld();
  installWfSpec(
    world,
    'stuck',
    {
      entry: { ...n.entrypoint(), outgoingEdges: [edge('exit', { condition: greaterEq('x', 10) })] },
      exit: n.exit(),
    },
    [varDef('x', VariableType.INT)],
  );
  const d = new WfRunDriver(world, 'w');
  const wfRun = d.run('stuck', { x: v.int(1) });
  assert.equal(wfRun.status, LHStatus.ERROR);
  const entry = d.nodeRun(0);
  assert.equal(entry?.status, LHStatus.ERROR);
  assert.equal(entry?.failures[0]?.failureName, 'VAR_SUB_ERROR');
  assert.match(entry?.failures[0]?.message ?? '', /No outgoing edges/);
  assert.equal(wfRun.threadRuns[0]?.status, LHStatus.ERROR);
});

test('a failed mutation rolls back every mutation of the edge and fails with VAR_SUB_ERROR', () => {
  const world = new FakeWorld();
  installWfSpec(
    world,
    'bad-mutation',
    {
      entry: {
        ...n.entrypoint(),
        outgoingEdges: [
          edge('exit', {
            mutations: [
              { lhsName: 'count', operation: VariableMutationType.ASSIGN, rhsValue: { $case: 'literalValue', value: v.int(5) } },
              { lhsName: 'count', operation: VariableMutationType.ASSIGN, rhsValue: { $case: 'literalValue', value: v.str('not a number') } },
            ],
          }),
        ],
      },
      exit: n.exit(),
    },
    [varDef('count', VariableType.INT, { defaultValue: v.int(1) })],
  );
  const d = new WfRunDriver(world, 'w');
  const wfRun = d.run('bad-mutation');
  assert.equal(wfRun.status, LHStatus.ERROR);
  assert.equal(d.nodeRun(0)?.failures[0]?.failureName, 'VAR_SUB_ERROR');
  assert.equal(d.variable('count')?.value?.value?.value, 1n);
});

test('a tight loop of NOPs is stopped with INTERNAL_ERROR after the configured number of passes', () => {
  const world = new FakeWorld({ limits: { maxAdvanceStepsPerCommand: 20 } });
  installWfSpec(world, 'spin', {
    entry: { ...n.entrypoint(), outgoingEdges: [edge('a')] },
    a: { ...n.nop(), outgoingEdges: [edge('b')] },
    b: { ...n.nop(), outgoingEdges: [edge('a')] },
  });
  const d = new WfRunDriver(world, 'w');
  const wfRun = d.run('spin');
  assert.equal(wfRun.status, LHStatus.ERROR);
  const current = d.nodeRun(wfRun.threadRuns[0]?.currentNodePosition ?? -1);
  assert.equal(current?.failures[0]?.failureName, 'INTERNAL_ERROR');
  assert.ok((wfRun.threadRuns[0]?.currentNodePosition ?? 0) <= 20);
});
