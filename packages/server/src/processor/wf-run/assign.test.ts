import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { a, chain, installTaskDef, installWfSpec, n, primitive, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';

test('task inputs from a json path, a format string and a NodeOutputReference', () => {
  const world = new FakeWorld();
  installTaskDef(world, 'lookup', [['id', VariableType.INT]], primitive(VariableType.JSON_OBJ));
  installTaskDef(world, 'greet', [['line', VariableType.STR], ['city', VariableType.STR], ['zip', VariableType.STR]], primitive(VariableType.STR));
  installWfSpec(
    world,
    'paths',
    chain(
      ['entry', n.entrypoint()],
      ['lookup', n.task('lookup', [a.variable('person', '$.id')])],
      [
        'greet',
        n.task('greet', [
          a.format('Hello {0}, you are {1}!', a.variable('person', '$.name'), a.variable('person', '$.age')),
          { ...a.nodeOutput('lookup'), path: { $case: 'jsonPath', value: '$.city' } },
          // An INT fits a STR input: it is converted, as upstream does.
          { ...a.nodeOutput('lookup'), path: { $case: 'jsonPath', value: '$.zip' } },
        ]),
      ],
      ['exit', n.exit()],
    ),
    [varDef('person', VariableType.JSON_OBJ)],
  );
  const d = new WfRunDriver(world, 'w');
  d.run('paths', { person: v.json({ id: 17, name: 'Ada', age: 36 }) });
  const first = d.succeedNext(v.json({ city: 'Paris', zip: 75001 }));
  assert.equal(first.variables[0]?.value?.value?.value, 17n);
  const second = d.queuedTask() ?? assert.fail('greet not queued');
  assert.deepEqual(
    second.variables.map((x) => x.value?.value?.value),
    ['Hello Ada, you are 36!', 'Paris', '75001'],
  );
  d.succeedNext(v.str('hi'));
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('a NodeOutputReference to the latest run of a node inside a loop', () => {
  const world = new FakeWorld();
  installTaskDef(world, 'count', [], primitive(VariableType.INT));
  installTaskDef(world, 'show', [['n', VariableType.INT]], primitive(VariableType.STR));
  installWfSpec(
    world,
    'latest',
    chain(['entry', n.entrypoint()], ['count', n.task('count')], ['count-again', n.task('count')], ['show', n.task('show', [a.nodeOutput('count-again')])], ['exit', n.exit()]),
  );
  const d = new WfRunDriver(world, 'w');
  d.run('latest');
  d.succeedNext(v.int(1));
  d.succeedNext(v.int(2));
  assert.equal(d.queuedTask()?.variables[0]?.value?.value?.value, 2n);
});

test('a reference to a node that never ran is a VAR_SUB_ERROR', () => {
  const world = new FakeWorld();
  installTaskDef(world, 'show', [['n', VariableType.INT]]);
  installWfSpec(world, 'dangling', chain(['entry', n.entrypoint()], ['show', n.task('show', [a.nodeOutput('ghost')])], ['exit', n.exit()]));
  const d = new WfRunDriver(world, 'w');
  assert.equal(d.run('dangling').status, LHStatus.ERROR);
  assert.equal(d.nodeRun(1)?.failures[0]?.failureName, 'VAR_SUB_ERROR');
  assert.match(d.nodeRun(1)?.failures[0]?.message ?? '', /ghost/);
});
