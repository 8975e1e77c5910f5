import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { a, chain, installWfSpec, n, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';
import { msFromTs, parseIsoInstantMs } from '../wf-run/time.ts';

test('a SLEEP node arms a timer and completes when it fires, not before', () => {
  const world = new FakeWorld({ nowMs: 50_000 });
  installWfSpec(
    world,
    'nap',
    chain(['entry', n.entrypoint()], ['sleep', n.sleepSeconds(a.variable('secs'))], ['exit', n.exit()]),
    [varDef('secs', VariableType.INT)],
  );
  const d = new WfRunDriver(world, 'w');
  d.run('nap', { secs: v.int(30) });
  const sleep = d.nodeRun(1);
  assert.equal(sleep?.status, LHStatus.RUNNING);
  assert.equal(sleep?.nodeType?.$case, 'sleep');
  const due = sleep?.nodeType?.$case === 'sleep' ? msFromTs(sleep.nodeType.value.maturationTime) : undefined;
  assert.equal(due, 80_000);
  assert.equal(d.fireTimersUntil(79_999), 0);
  assert.equal(d.mustWfRun().status, LHStatus.RUNNING);
  assert.equal(d.fireTimersUntil(80_000), 1);
  const done = d.nodeRun(1);
  assert.equal(done?.status, LHStatus.COMPLETED);
  assert.equal(done?.nodeType?.$case === 'sleep' ? done.nodeType.value.matured : false, true);
  assert.equal(Number(done?.endTime?.seconds), 80);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('a sleep until an ISO date matures at that instant', () => {
  const world = new FakeWorld({ nowMs: 0 });
  installWfSpec(world, 'until', chain(['entry', n.entrypoint()], ['sleep', n.sleepUntilIso(a.lit(v.str('1970-01-01T00:01:40Z')))], ['exit', n.exit()]));
  const d = new WfRunDriver(world, 'w');
  d.run('until');
  assert.equal(d.fireTimersUntil(99_999), 0);
  assert.equal(d.fireTimersUntil(100_000), 1);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('a sleep whose length is not a number fails with VAR_SUB_ERROR', () => {
  const world = new FakeWorld();
  installWfSpec(world, 'bad', chain(['entry', n.entrypoint()], ['sleep', n.sleepSeconds(a.lit(v.str('soon')))], ['exit', n.exit()]));
  const d = new WfRunDriver(world, 'w');
  assert.equal(d.run('bad').status, LHStatus.ERROR);
  assert.equal(d.nodeRun(1)?.failures[0]?.failureName, 'VAR_SUB_ERROR');
});

test('ISO-8601 instants are parsed by hand', () => {
  assert.equal(parseIsoInstantMs('2024-02-29T12:34:56.789Z'), 1_709_210_096_789);
  assert.equal(parseIsoInstantMs('2000-01-01T00:00:00+02:00'), 946_677_600_000);
  assert.equal(parseIsoInstantMs('yesterday'), undefined);
});
