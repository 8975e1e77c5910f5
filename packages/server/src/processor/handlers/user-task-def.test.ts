import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutWfSpecRequest, UserTaskDef, VariableType, WfSpec } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { applyCommand } from '../apply.ts';
import { FakeWorld } from '../testing/fake-context.ts';
import { installTaskDef } from '../testing/wf-spec-builder.ts';
import { edgeTo } from '../wf-spec/spec-fixtures.ts';
import { field } from '../user-tasks/user-task-testing.ts';
import { latestUserTaskDef } from '../user-tasks/user-task-defs.ts';
import type { CommandBody } from '../testing/fake-context.ts';
import type { Node, UserTaskField, UserTaskNode } from '@filly/proto';

function put(w: FakeWorld, name: string, fields: UserTaskField[], description?: string): UserTaskDef {
  const out = w.exec(applyCommand, { $case: 'putUserTaskDef', value: { name, fields, description } });
  assert.ok(out);
  return UserTaskDef.decode(out);
}

function codeAndMessage(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, message: err.message };
    throw err;
  }
  assert.fail('expected an ApiError');
}

function latest(w: FakeWorld, name: string): UserTaskDef | undefined {
  let out: UserTaskDef | undefined;
  w.exec((ctx) => {
    out = latestUserTaskDef(ctx, ctx.tenant, name);
    return undefined;
  }, { $case: 'initializeCluster', value: {} });
  return out;
}

test('PutUserTaskDef versions from 0; identical fields return the stored version, different ones the next', () => {
  const w = new FakeWorld();
  const first = put(w, 'form', [field('a', VariableType.STR, true)]);
  assert.equal(first.version, 0);
  assert.ok(first.createdAt);
  w.advanceMs(1000);
  const again = put(w, 'form', [field('a', VariableType.STR, true)]);
  assert.deepEqual(again, first);
  const second = put(w, 'form', [field('a', VariableType.STR, true), field('b', VariableType.INT)]);
  assert.equal(second.version, 1);
  assert.equal(put(w, 'form', [field('a', VariableType.STR, true)], 'now described').version, 2);
  assert.equal(latest(w, 'form')?.version, 2);
});

test('PutUserTaskDef refuses bad names, blank or duplicate fields and unknown types', () => {
  const w = new FakeWorld();
  const bad = (name: string, fields: UserTaskField[]) => codeAndMessage(() => put(w, name, fields));
  assert.deepEqual(bad('my_form', []).code, Code.INVALID_ARGUMENT);
  assert.match(bad('my_form', []).message, /UserTaskDef name 'my_form' is not a valid name/);
  assert.match(bad('form', [field('', VariableType.STR)]).message, /field 0 name '' is not a valid name/);
  assert.match(bad('form', [field('x', VariableType.STR), field('x', VariableType.INT)]).message, /field 'x' is declared twice/);
  assert.match(bad('form', [field('x', 42 as VariableType)]).message, /field 0 \('x'\): unknown type 42/);
  assert.equal(latest(w, 'form'), undefined);
});

test('DeleteUserTaskDef removes one version; GetLatest falls back to the previous one', () => {
  const w = new FakeWorld();
  put(w, 'form', [field('a', VariableType.STR)]);
  put(w, 'form', [field('b', VariableType.STR)]);
  const del = (version: number): CommandBody => ({ $case: 'deleteUserTaskDef', value: { id: { name: 'form', version } } });
  assert.equal(codeAndMessage(() => w.exec(applyCommand, del(7))).code, Code.NOT_FOUND);
  w.exec(applyCommand, del(1));
  assert.equal(latest(w, 'form')?.version, 0);
  // The next version number follows the newest remaining one, as upstream.
  assert.equal(put(w, 'form', [field('c', VariableType.STR)]).version, 1);
  w.exec(applyCommand, del(1));
  w.exec(applyCommand, del(0));
  assert.equal(latest(w, 'form'), undefined);
});

function specWithUserTask(ut: Partial<UserTaskNode>): PutWfSpecRequest {
  const nodes: Record<string, Partial<Node>> = {
    entry: { node: { $case: 'entrypoint', value: {} }, outgoingEdges: [edgeTo('ut')] },
    ut: { node: { $case: 'userTask', value: { userTaskDefName: 'form', actions: [], ...ut } }, outgoingEdges: [edgeTo('exit')] },
    exit: { node: { $case: 'exit', value: {} } },
  };
  return PutWfSpecRequest.fromPartial({ name: 'approve', entrypointThreadName: 'entrypoint', threadSpecs: { entrypoint: { nodes } } });
}

const lit = (s: string) => ({ source: { $case: 'literalValue' as const, value: { value: { $case: 'str' as const, value: s } } } });

test('PutWfSpec accepts a USER_TASK node and pins user_task_def_version to the newest UserTaskDef', () => {
  const w = new FakeWorld();
  put(w, 'form', [field('a', VariableType.STR)]);
  put(w, 'form', [field('b', VariableType.STR)]);
  const out = w.exec(applyCommand, { $case: 'putWfSpec', value: specWithUserTask({ userGroup: lit('ops') }) });
  assert.ok(out);
  const node = WfSpec.decode(out).threadSpecs['entrypoint']?.nodes['ut']?.node;
  assert.equal(node?.$case === 'userTask' ? node.value.userTaskDefVersion : undefined, 1);
});

test('PutWfSpec refuses USER_TASK nodes with a missing def, no assignee, a blank literal or a bad action', () => {
  const w = new FakeWorld();
  installTaskDef(w, 'remind');
  put(w, 'form', [field('a', VariableType.STR)]);
  const bad = (ut: Partial<UserTaskNode>) => codeAndMessage(() => w.exec(applyCommand, { $case: 'putWfSpec', value: specWithUserTask(ut) }));
  assert.match(bad({ userTaskDefName: 'nope', userId: lit('x') }).message, /UserTaskDef 'nope', which does not exist/);
  assert.match(bad({ userTaskDefVersion: 3, userId: lit('x') }).message, /UserTaskDef 'form' version 3, which does not exist/);
  assert.match(bad({}).message, /must specify user_group or user_id/);
  assert.match(bad({ userId: lit('  ') }).message, /user_id can't be empty/);
  assert.match(bad({ userGroup: lit('') }).message, /user_group can't be empty/);
  const noDelay = { action: { $case: 'cancel' as const, value: {} }, delaySeconds: undefined, hook: 0 };
  assert.match(bad({ userId: lit('x'), actions: [noDelay] }).message, /action 0: delay_seconds is required/);
  const strDelay = { ...noDelay, delaySeconds: lit('soon') };
  assert.match(bad({ userId: lit('x'), actions: [strDelay] }).message, /delay_seconds: must be INT/);
  const missingTask = {
    action: { $case: 'task' as const, value: { task: { taskToExecute: { $case: 'taskDefId' as const, value: { name: 'ghost' } }, timeoutSeconds: 0, retries: 0, variables: [] }, mutations: [] } },
    delaySeconds: { source: { $case: 'literalValue' as const, value: { value: { $case: 'int' as const, value: 1n } } } },
    hook: 0,
  };
  assert.match(bad({ userId: lit('x'), actions: [missingTask] }).message, /TaskDef 'ghost', which does not exist/);
});
