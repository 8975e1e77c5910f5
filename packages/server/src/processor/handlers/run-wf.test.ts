import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, type VariableValue } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { ApiError, Code } from '../api-error.ts';
import { applyCommand } from '../apply.ts';
import * as keys from '../../store/keys.ts';
import { chain, installWfSpec, n, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';

function setup(): FakeWorld {
  const world = new FakeWorld();
  installWfSpec(world, 'vars', chain(['entry', n.entrypoint()], ['exit', n.exit()]), [
    varDef('input-int', VariableType.INT, { required: true }),
    varDef('greeting', VariableType.STR, { defaultValue: v.str('hello') }),
    varDef('maybe', VariableType.DOUBLE),
  ]);
  return world;
}

function codeOf(fn: () => unknown): { code: number; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

const runWith = (world: FakeWorld, id: string, variables: Record<string, VariableValue>, wfSpecName = 'vars') =>
  world.exec(applyCommand, { $case: 'runWf', value: { wfSpecName, id, variables } });

test('input variables: required, unknown and mistyped inputs are refused and nothing is stored', () => {
  const world = setup();
  const missing = codeOf(() => runWith(world, 'a', {}));
  assert.equal(missing?.code, Code.INVALID_ARGUMENT);
  assert.match(missing?.message ?? '', /input-int/);
  const unknown = codeOf(() => runWith(world, 'a', { 'input-int': v.int(1), stranger: v.int(2) }));
  assert.equal(unknown?.code, Code.INVALID_ARGUMENT);
  assert.match(unknown?.message ?? '', /stranger/);
  const wrong = codeOf(() => runWith(world, 'a', { 'input-int': v.str('not-an-int') }));
  assert.equal(wrong?.code, Code.INVALID_ARGUMENT);
  assert.match(wrong?.message ?? '', /input-int/);
  assert.deepEqual(world.keysWithPrefix(keys.wfRunGroupPrefix(world.partition, world.tenant, { id: 'a' })), []);
});

test('defaults fill absent and NULL inputs; other absent variables are NULL', () => {
  const world = setup();
  const d = new WfRunDriver(world, 'ok');
  const wfRun = d.run('vars', { 'input-int': v.int(5), greeting: v.null() });
  assert.equal(wfRun.status, LHStatus.COMPLETED);
  assert.equal(d.variable('input-int')?.value?.value?.value, 5n);
  assert.equal(d.variable('greeting')?.value?.value?.value, 'hello');
  assert.equal(d.variable('maybe')?.value?.value, undefined);
  assert.equal(d.variable('greeting')?.wfSpecId?.name, 'vars');
});

test('an existing id is ALREADY_EXISTS and an unknown WfSpec is NOT_FOUND', () => {
  const world = setup();
  runWith(world, 'same', { 'input-int': v.int(1) });
  assert.equal(codeOf(() => runWith(world, 'same', { 'input-int': v.int(1) }))?.code, Code.ALREADY_EXISTS);
  assert.equal(codeOf(() => runWith(world, 'x', {}, 'no-such-spec'))?.code, Code.NOT_FOUND);
});

test('an EXIT node with a FailureDef fails the WfRun: EXCEPTION for business names, ERROR for reserved ones', () => {
  const world = new FakeWorld();
  installWfSpec(world, 'biz', chain(['entry', n.entrypoint()], ['exit', n.exitFailing('card-declined', 'nope')]));
  installWfSpec(world, 'sys', chain(['entry', n.entrypoint()], ['exit', n.exitFailing('VAR_SUB_ERROR', 'bad')]));
  const biz = new WfRunDriver(world, 'biz').run('biz');
  assert.equal(biz.status, LHStatus.EXCEPTION);
  assert.equal(biz.threadRuns[0]?.errorMessage, 'nope');
  assert.ok(biz.endTime);
  const sys = new WfRunDriver(world, 'sys').run('sys');
  assert.equal(sys.status, LHStatus.ERROR);
});
