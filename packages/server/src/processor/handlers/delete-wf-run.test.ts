import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { ApiError, Code } from '../api-error.ts';
import { a, chain, installExternalEventDef, installTaskDef, installWfSpec, n, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';
import * as keys from '../../store/keys.ts';

test('DeleteWfRun removes every record of the WfRun, unqueues its task, and later timers are ignored', () => {
  const world = new FakeWorld();
  installTaskDef(world, 't');
  installExternalEventDef(world, 'e');
  installWfSpec(
    world,
    'del',
    chain(['entry', n.entrypoint()], ['nap', n.sleepSeconds(a.lit(v.int(5)))], ['t', n.task('t')], ['exit', n.exit()]),
    [varDef('x', VariableType.INT)],
  );
  const other = new WfRunDriver(world, 'other');
  other.run('del');
  const d = new WfRunDriver(world, 'w');
  d.run('del', { x: v.int(1) });
  d.putEvent('e', v.str('unclaimed'), 'g1');
  assert.equal(d.fireTimersUntil(world.nowMs + 5_000), 2);
  assert.ok(d.queuedTask());

  d.delete();
  const group = keys.wfRunGroupPrefix(world.partition, world.tenant, { id: 'w' });
  assert.deepEqual(world.keysWithPrefix(group), []);
  assert.equal(d.queuedTask(), undefined);
  // The other WfRun is untouched.
  assert.ok(other.wfRun());
  assert.ok(other.queuedTask());
  // Deleting again is fine.
  d.delete();
});

test('timers and reports for a deleted WfRun are ignored or refused cleanly', () => {
  const world = new FakeWorld();
  installTaskDef(world, 't');
  installWfSpec(world, 'del', chain(['entry', n.entrypoint()], ['t', n.task('t', [], { timeoutSeconds: 1 })], ['exit', n.exit()]));
  const d = new WfRunDriver(world, 'w');
  d.run('del');
  const claimed = d.claim(d.queuedTask() ?? assert.fail());
  d.delete();
  assert.equal(d.fireTimersUntil(world.nowMs + 1_000), 1); // the timeout fires and finds nothing
  assert.equal(d.wfRun(), undefined);
  assert.throws(() => d.report(claimed, 2), (e: unknown) => e instanceof ApiError && e.code === Code.NOT_FOUND);
});
