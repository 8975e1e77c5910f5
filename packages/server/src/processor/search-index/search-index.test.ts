import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, TaskStatus, type Variable } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { chain, installExternalEventDef, installTaskDef, installWfSpec, n, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';
import { applyCommand } from '../apply.ts';
import { IndexRecords, Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { indexedValues, variableIndexPlan } from './variable-index.ts';
import { encodeScalar, MAX_INDEXED_STRING_CHARS } from './variable-values.ts';
import { updateIndexes } from './update-indexes.ts';

const indexRoot = (world: FakeWorld): string => `c/${keys.partitionPart(world.partition)}/x/${world.tenant}/`;
/** Index keys of the world, without the WfRun search index (tested elsewhere). */
const indexKeys = (world: FakeWorld): string[] => world.keysWithPrefix(indexRoot(world)).filter((k) => !k.includes('/x/default/wfrun/'));

function idsUnder(world: FakeWorld, prefix: string): string[] {
  return world.scan(IndexRecords.taskRun, prefix).map((r) => r.value.id?.taskGuid ?? '?');
}

test('a TaskRun is indexed by TaskDef and moves between status keys as it runs; delete removes it', () => {
  const world = new FakeWorld();
  installTaskDef(world, 't');
  installWfSpec(world, 'spec', chain(['entry', n.entrypoint()], ['t', n.task('t')], ['exit', n.exit()]));
  const d = new WfRunDriver(world, 'w1');
  d.run('spec');
  const guid = d.taskRuns()[0]?.id?.taskGuid ?? assert.fail('no TaskRun');
  const p = world.partition;
  const byStatus = (s: TaskStatus): string[] => idsUnder(world, keys.taskRunIndexPrefix(p, world.tenant, 't', s));

  assert.deepEqual(idsUnder(world, keys.taskRunIndexPrefix(p, world.tenant, 't')), [guid]);
  assert.deepEqual(byStatus(TaskStatus.TASK_SCHEDULED), [guid]);
  const claimed = d.claim(d.queuedTask() ?? assert.fail('nothing queued'));
  assert.deepEqual(byStatus(TaskStatus.TASK_SCHEDULED), []);
  assert.deepEqual(byStatus(TaskStatus.TASK_RUNNING), [guid]);
  d.report(claimed, TaskStatus.TASK_SUCCESS);
  assert.deepEqual(byStatus(TaskStatus.TASK_RUNNING), []);
  assert.deepEqual(byStatus(TaskStatus.TASK_SUCCESS), [guid]);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);

  d.delete();
  assert.deepEqual(indexKeys(world), []);
});

test('EXTERNAL_EVENT NodeRuns and ExternalEvents are indexed by def, status and claimed flag', () => {
  const world = new FakeWorld();
  installExternalEventDef(world, 'ev');
  installWfSpec(world, 'wait', chain(['entry', n.entrypoint()], ['wait', n.externalEvent('ev')], ['exit', n.exit()]));
  const d = new WfRunDriver(world, 'w2');
  d.run('wait');
  const p = world.partition;
  const t = world.tenant;
  const nodeRunsIn = (s: LHStatus): number => world.keysWithPrefix(keys.nodeRunIndexPrefix(p, t, 'ev', s)).length;
  assert.equal(nodeRunsIn(LHStatus.RUNNING), 1);
  // Only the EXTERNAL_EVENT NodeRun is indexed (not the entrypoint).
  assert.equal(world.keysWithPrefix(`${indexRoot(world)}noderun/`).length, 1);

  // An event for a WfRun that does not exist yet stays unclaimed.
  new WfRunDriver(world, 'later').putEvent('ev', v.str('early'), 'g0');
  const events = (claimed?: boolean): string[] =>
    world.scan(IndexRecords.externalEvent, keys.externalEventIndexPrefix(p, t, 'ev', claimed)).map((r) => r.value.id?.guid ?? '?');
  assert.deepEqual(events(false), ['g0']);

  world.advanceMs(10);
  d.putEvent('ev', v.str('hello'), 'g1');
  assert.equal(nodeRunsIn(LHStatus.RUNNING), 0);
  assert.equal(nodeRunsIn(LHStatus.COMPLETED), 1);
  assert.deepEqual(events(), ['g0', 'g1']);
  assert.deepEqual(events(true), ['g1']);
  assert.deepEqual(events(false), ['g0']);

  world.exec(applyCommand, {
    $case: 'deleteExternalEvent',
    value: { id: { wfRunId: { id: 'later' }, externalEventDefId: { name: 'ev' }, guid: 'g0' } },
  });
  assert.deepEqual(events(), ['g1']);
  assert.deepEqual(events(false), []);
  d.delete();
  assert.deepEqual(indexKeys(world), []);
});

test('only searchable variables are indexed, by WfSpec name, name and value', () => {
  const world = new FakeWorld();
  const searchable = { ...varDef('x', VariableType.INT), searchable: true };
  installWfSpec(world, 'vars', chain(['entry', n.entrypoint()], ['exit', n.exit()]), [searchable, varDef('y', VariableType.STR)]);
  const d = new WfRunDriver(world, 'w3');
  d.run('vars', { x: v.int(42), y: v.str('not indexed') });
  const prefix = keys.variableIndexPrefix(world.partition, world.tenant, 'vars', 'x', 'i:42');
  const found = world.scan(IndexRecords.variable, prefix).map((r) => r.value);
  assert.equal(found.length, 1);
  assert.equal(found[0]?.id?.name, 'x');
  assert.equal(found[0]?.majorVersion, 0);
  assert.equal(world.keysWithPrefix(`${indexRoot(world)}var/vars/y/`).length, 0);
  d.delete();
  assert.deepEqual(indexKeys(world), []);
});

test('a Variable whose value changes moves to the key of its new value; long strings keep a prefix', () => {
  const world = new FakeWorld();
  const spec = installWfSpec(world, 'vars', chain(['entry', n.entrypoint()], ['exit', n.exit()]), [
    { ...varDef('s', VariableType.STR), searchable: true },
  ]);
  const before: Variable = {
    id: { wfRunId: { id: 'w4' }, threadRunNumber: 0, name: 's' },
    value: v.str('a'),
    createdAt: { seconds: 1n, nanos: 0 },
    wfSpecId: spec.id,
    masked: false,
  };
  const after: Variable = { ...before, value: v.str('b') };
  const valueKeys = (value: string): string[] =>
    world.keysWithPrefix(keys.variableIndexPrefix(world.partition, world.tenant, 'vars', 's', value));
  const body = { $case: 'deleteWfRun' as const, value: { id: { id: 'unused' } } };
  world.exec((ctx) => (updateIndexes(ctx, Records.variable, undefined, before), undefined), body);
  assert.equal(valueKeys('s:a').length, 1);
  world.exec((ctx) => (updateIndexes(ctx, Records.variable, before, after), undefined), body);
  assert.deepEqual([valueKeys('s:a').length, valueKeys('s:b').length], [0, 1]);
  // A null value is not indexed: the entry goes.
  world.exec((ctx) => (updateIndexes(ctx, Records.variable, after, { ...after, value: undefined }), undefined), body);
  assert.deepEqual(indexKeys(world), []);

  // Beyond the bound only a prefix is kept, marked as such.
  const long = 'z'.repeat(MAX_INDEXED_STRING_CHARS + 5);
  assert.equal(encodeScalar(v.str(long)), `t:${'z'.repeat(MAX_INDEXED_STRING_CHARS)}`);
  assert.deepEqual(indexedValues('s', v.str('c'), variableIndexPlan(spec, 's')), [['s', 's:c']]);
});

test('JSON indexes flatten objects and arrays into the indexed paths only', () => {
  const world = new FakeWorld();
  const jsonVar = { ...varDef('doc', VariableType.JSON_OBJ), jsonIndexes: [{ fieldPath: '$.a.b', fieldType: VariableType.STR }] };
  const spec = installWfSpec(world, 'json', chain(['entry', n.entrypoint()], ['exit', n.exit()]), [jsonVar]);
  const plan = variableIndexPlan(spec, 'doc');
  const value = { value: { $case: 'jsonObj' as const, value: JSON.stringify({ a: { b: 'x', c: 1 }, d: [1, 2] }) } };
  assert.deepEqual(indexedValues('doc', value, plan), [['doc_$.a.b', 's:x']]);
  const arr = { value: { $case: 'jsonObj' as const, value: JSON.stringify({ a: [{ b: 'p' }, { b: 'q' }] }) } };
  assert.deepEqual(indexedValues('doc', arr, plan), [['doc_$.a.b', 's:p'], ['doc_$.a.b', 's:q']]);
  // Broken JSON is not indexed rather than failing the command.
  assert.deepEqual(indexedValues('doc', { value: { $case: 'jsonObj', value: '{' } }, plan), []);
});

test('UserTaskRun index prefixes of different attributes never contain one another', () => {
  // The user task flow itself is exercised end to end in tests/integration/searches.test.ts.
  const p = 0;
  const prefixes = [
    keys.userTaskRunIndexPrefix(p, 'default', 'user', 'all'),
    keys.userTaskRunIndexPrefix(p, 'default', 'group', 'all'),
    keys.userTaskRunIndexPrefix(p, 'default', 'def', 'x'),
    keys.userTaskRunIndexPrefix(p, 'default', 'status', '1'),
  ];
  for (const a of prefixes) for (const b of prefixes) if (a !== b) assert.ok(!a.startsWith(b), `${a} inside ${b}`);
});
