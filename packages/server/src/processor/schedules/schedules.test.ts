import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduledWfRun, type VariableValue } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { applyCommand } from '../apply.ts';
import { ApiError, Code } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { chain, installWfSpec, n, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';
import { parseIsoInstantMs } from '../wf-run/time.ts';

const START_MS = parseIsoInstantMs('2024-05-01T10:00:30Z') ?? 0;
const MINUTE_MS = 60_000;

function setup(): FakeWorld {
  const world = new FakeWorld({ nowMs: START_MS });
  installWfSpec(world, 'nightly', chain(['entry', n.entrypoint()], ['exit', n.exit()]), [varDef('x', VariableType.INT)]);
  return world;
}

function schedule(world: FakeWorld, id: string, cronExpression: string, variables: Record<string, VariableValue> = {}): ScheduledWfRun {
  const bytes = world.exec(applyCommand, { $case: 'scheduleWf', value: { id, wfSpecName: 'nightly', variables, cronExpression } });
  if (bytes === undefined) throw new Error('ScheduleWf answered nothing');
  return ScheduledWfRun.decode(bytes);
}

function wfRunsOf(world: FakeWorld) {
  return world
    .keysWithPrefix('c/')
    .filter((k) => k.includes('/wfrun/'))
    .map((k) => world.get(Records.wfRun, k))
    .filter((w): w is NonNullable<typeof w> => w?.wfSpecId?.name === 'nightly');
}

test('a schedule runs its WfRun at each cron time, never at creation', () => {
  const world = setup();
  const stored = schedule(world, 'every-minute', '* * * * *', { x: v.int(7) });
  assert.equal(stored.wfSpecId?.name, 'nightly');
  assert.equal(stored.cronExpression, '* * * * *');
  assert.deepEqual(world.get(Records.scheduledWfRun, keys.scheduledWfRunKey(0, world.tenant, 'every-minute')), stored);
  assert.equal(wfRunsOf(world).length, 0);

  // First firing at 10:01:00, then the RunWf it sends.
  world.fireTimersUntil(applyCommand, START_MS + 29_000);
  assert.equal(wfRunsOf(world).length, 0);
  world.fireTimersUntil(applyCommand, START_MS + 30_000);
  const first = wfRunsOf(world);
  assert.equal(first.length, 1);
  assert.equal(first[0]?.id?.id.length, 32);
  world.fireTimersUntil(applyCommand, START_MS + 30_000 + 2 * MINUTE_MS);
  const runs = wfRunsOf(world);
  assert.equal(runs.length, 3);
  assert.equal(new Set(runs.map((r) => r.id?.id)).size, 3, 'each firing has its own WfRun id');
  // Inputs are passed through.
  const id = runs[0]?.id;
  if (id === undefined) throw new Error('no id');
  const x = world.get(Records.variable, keys.variableKey(0, world.tenant, { wfRunId: id, threadRunNumber: 0, name: 'x' }));
  assert.equal(x?.value?.value?.value, 7n);
});

test('deleting a schedule stops its firings; replacing one stops the old chain', () => {
  const world = setup();
  schedule(world, 's1', '* * * * *');
  world.exec(applyCommand, { $case: 'deleteScheduledWfRun', value: { id: { id: 's1' } } });
  assert.equal(world.get(Records.scheduledWfRun, keys.scheduledWfRunKey(0, world.tenant, 's1')), undefined);
  world.fireTimersUntil(applyCommand, START_MS + 5 * MINUTE_MS);
  assert.equal(wfRunsOf(world).length, 0);
  assert.equal(world.timers().length, 0, 'no timer re-armed');

  schedule(world, 's2', '0 * * * *');
  world.advanceMs(1_000);
  schedule(world, 's2', '0 * * * *');
  world.fireTimersUntil(applyCommand, world.nowMs + 60 * MINUTE_MS);
  assert.equal(wfRunsOf(world).length, 1, 'one firing per cron time, not one per chain');
});

test('an unknown WfSpec or a bad cron expression is INVALID_ARGUMENT and stores nothing', () => {
  const world = setup();
  const err = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ApiError) return e;
      throw e;
    }
    return undefined;
  };
  const noSpec = err(() => world.exec(applyCommand, { $case: 'scheduleWf', value: { id: 'a', wfSpecName: 'nope', variables: {}, cronExpression: '* * * * *' } }));
  assert.equal(noSpec?.code, Code.INVALID_ARGUMENT);
  assert.match(noSpec?.message ?? '', /WfSpec nope/);
  for (const bad of ['* * * *', '61 * * * *', '0 0 30 2 *']) {
    const e = err(() => schedule(world, 'a', bad));
    assert.equal(e?.code, Code.INVALID_ARGUMENT, bad);
  }
  assert.equal(world.get(Records.scheduledWfRun, keys.scheduledWfRunKey(0, world.tenant, 'a')), undefined);
  assert.equal(world.timers().length, 0);
});
