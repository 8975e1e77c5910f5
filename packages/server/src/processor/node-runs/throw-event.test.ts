import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, WorkflowEventDef, type Node, type VariableAssignment, type WorkflowEvent } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { ApiError, Code } from '../api-error.ts';
import { applyCommand } from '../apply.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { a, chain, installWfSpec, n, primitive, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';
import { workflowEventTopic } from '../workflow-event-topic.ts';

const throwNode = (defName: string, content?: VariableAssignment): Partial<Node> => ({
  node: { $case: 'throwEvent', value: { eventDefId: { name: defName }, content } },
});

function putDef(w: FakeWorld, name: string, type?: VariableType): WorkflowEventDef {
  const bytes = w.exec(applyCommand, {
    $case: 'putWorkflowEventDef',
    value: { name, contentType: { returnType: type === undefined ? undefined : primitive(type) } },
  });
  assert.ok(bytes);
  return WorkflowEventDef.decode(bytes);
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  return undefined;
}

function eventsOf(w: FakeWorld, wfRunId: string): WorkflowEvent[] {
  return w.scan(Records.workflowEvent, keys.workflowEventPrefix(w.partition, w.tenant, { id: wfRunId })).map((r) => r.value);
}

test('PutWorkflowEventDef: same type returns the stored def, another type is ALREADY_EXISTS; delete is NOT_FOUND when absent', () => {
  const w = new FakeWorld({ nowMs: 5_000 });
  const first = putDef(w, 'paid', VariableType.INT);
  assert.equal(first.id?.name, 'paid');
  assert.equal(first.contentType?.returnType?.definedType?.$case, 'primitiveType');
  w.advanceMs(1_000);
  const again = putDef(w, 'paid', VariableType.INT);
  assert.deepEqual(again.createdAt, first.createdAt, 'an identical put keeps the first def');
  assert.equal(codeOf(() => putDef(w, 'paid', VariableType.STR)), Code.ALREADY_EXISTS);
  assert.equal(codeOf(() => putDef(w, 'bad name!', VariableType.STR)), Code.INVALID_ARGUMENT);
  w.exec(applyCommand, { $case: 'deleteWorkflowEventDef', value: { id: { name: 'paid' } } });
  assert.equal(w.get(Records.workflowEventDef, keys.workflowEventDefKey(w.tenant, 'paid')), undefined);
  assert.equal(codeOf(() => w.exec(applyCommand, { $case: 'deleteWorkflowEventDef', value: { id: { name: 'paid' } } })), Code.NOT_FOUND);
});

test('THROW_EVENT stores numbered events with their NodeRun, completes, and notifies the WfRun topic', () => {
  const w = new FakeWorld({ nowMs: 10_000 });
  putDef(w, 'step', VariableType.STR);
  putDef(w, 'other', VariableType.INT);
  installWfSpec(
    w,
    'thrower',
    chain(
      ['entry', n.entrypoint()],
      ['first', throwNode('step', a.lit(v.str('one')))],
      ['second', throwNode('step', a.format('two-{0}', a.variable('x')))],
      ['third', throwNode('other', a.lit(v.int(3)))],
      ['exit', n.exit()],
    ),
    [varDef('x', VariableType.STR, { defaultValue: v.str('x') })],
  );
  const d = new WfRunDriver(w, 'run-1');
  const { ctx } = w.execWithContext(applyCommand, { $case: 'runWf', value: { wfSpecName: 'thrower', id: 'run-1', variables: {} } });
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);

  const events = eventsOf(w, 'run-1');
  assert.deepEqual(events.map((e) => `${e.id?.workflowEventDefId?.name}/${e.id?.number}`), ['other/0', 'step/0', 'step/1']);
  const step1 = events.find((e) => e.id?.workflowEventDefId?.name === 'step' && e.id.number === 1);
  assert.equal(step1?.content?.value?.value, 'two-x');
  assert.equal(step1?.nodeRunId?.position, 2);
  assert.equal(Number(step1?.createdAt?.seconds), 10);

  const nr = d.nodeRun(2);
  assert.equal(nr?.status, LHStatus.COMPLETED);
  assert.equal(nr?.nodeType?.$case === 'throwEvent' ? nr.nodeType.value.workflowEventId?.number : undefined, 1);

  const notes = ctx.effects.filter((e) => e.kind === 'notify');
  assert.equal(notes.length, 3);
  assert.ok(notes.every((e) => e.kind === 'notify' && e.topic === workflowEventTopic('default', { id: 'run-1' })));
});

test('numbers count per WfRun and def: each WfRun of a two-throw spec numbers 0 and 1', () => {
  const w = new FakeWorld();
  putDef(w, 'tick');
  installWfSpec(w, 'twice', chain(['entry', n.entrypoint()], ['a', throwNode('tick')], ['b', throwNode('tick')], ['exit', n.exit()]));
  new WfRunDriver(w, 'r1').run('twice');
  new WfRunDriver(w, 'r2').run('twice');
  assert.deepEqual(eventsOf(w, 'r1').map((e) => e.id?.number), [0, 1]);
  assert.deepEqual(eventsOf(w, 'r2').map((e) => e.id?.number), [0, 1]);
  assert.equal(eventsOf(w, 'r1')[0]?.content?.value, undefined, 'no content assignment throws a NULL event');
});

test('content that does not match the def fails the node with VAR_SUB_ERROR and stores nothing', () => {
  const w = new FakeWorld();
  putDef(w, 'amount', VariableType.INT);
  installWfSpec(w, 'wrong', chain(['entry', n.entrypoint()], ['throw', throwNode('amount', a.lit(v.str('ten')))], ['exit', n.exit()]));
  const d = new WfRunDriver(w, 'bad');
  d.run('wrong');
  const nr = d.nodeRun(1);
  assert.equal(nr?.status, LHStatus.ERROR);
  assert.equal(nr?.failures[0]?.failureName, 'VAR_SUB_ERROR');
  assert.match(nr?.failures[0]?.message ?? '', /amount/);
  assert.equal(d.mustWfRun().status, LHStatus.ERROR);
  assert.deepEqual(eventsOf(w, 'bad'), []);
});

test('deleting a WfRun deletes its WorkflowEvents', () => {
  const w = new FakeWorld();
  putDef(w, 'tick');
  installWfSpec(w, 'one', chain(['entry', n.entrypoint()], ['a', throwNode('tick')], ['exit', n.exit()]));
  const d = new WfRunDriver(w, 'gone');
  d.run('one');
  assert.equal(eventsOf(w, 'gone').length, 1);
  d.delete();
  assert.deepEqual(eventsOf(w, 'gone'), []);
});
