import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutTaskDefRequest, TaskDef, VariableType } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { FakeWorld } from '../testing/fake-context.ts';
import { taskDefByName } from '../metadata-reads.ts';
import { putTaskDef } from './put-task-def.ts';
import { deleteTaskDef } from './delete-task-def.ts';

function put(world: FakeWorld, req: PutTaskDefRequest): TaskDef {
  const out = world.exec((ctx) => putTaskDef(ctx, req), { $case: 'putTaskDef', value: req });
  assert.ok(out);
  return TaskDef.decode(out);
}

const isApi = (code: number, re: RegExp) => (e: unknown): boolean => e instanceof ApiError && e.code === code && re.test(e.message);

const request = (type = VariableType.STR): PutTaskDefRequest =>
  PutTaskDefRequest.fromPartial({ name: 'greet', inputVars: [{ name: 'name', typeDef: { definedType: { $case: 'primitiveType', value: type } } }] });

test('creates a TaskDef stamped with the command time and stores it', () => {
  const world = new FakeWorld({ nowMs: 5_000 });
  const td = put(world, request());
  assert.equal(td.id?.name, 'greet');
  assert.equal(td.createdAt?.seconds, 5n);
  world.exec((ctx) => {
    assert.equal(taskDefByName(ctx, 'default', 'greet')?.inputVars[0]?.name, 'name');
    return undefined;
  }, { $case: 'initializeCluster', value: {} });
});

test('the same definition again returns the stored one; a different one is ALREADY_EXISTS', () => {
  const world = new FakeWorld({ nowMs: 5_000 });
  put(world, request());
  world.advanceMs(10_000);
  assert.equal(put(world, request()).createdAt?.seconds, 5n);
  assert.throws(() => put(world, request(VariableType.INT)), isApi(Code.ALREADY_EXISTS, /TaskDef 'greet' already exists/));
});

test('deprecated VariableDef.type is stored as type_def and compares equal', () => {
  const world = new FakeWorld();
  const old = put(world, PutTaskDefRequest.fromPartial({ name: 'greet', inputVars: [{ name: 'name', type: VariableType.STR }] }));
  assert.equal(old.inputVars[0]?.type, undefined);
  assert.deepEqual(old.inputVars[0]?.typeDef?.definedType, { $case: 'primitiveType', value: VariableType.STR });
  put(world, request());
});

test('bad names and bad input declarations are INVALID_ARGUMENT', () => {
  const world = new FakeWorld();
  assert.throws(() => put(world, PutTaskDefRequest.fromPartial({ name: '-greet' })), isApi(Code.INVALID_ARGUMENT, /TaskDef name '-greet'/));
  assert.throws(
    () => put(world, PutTaskDefRequest.fromPartial({ name: 'x', inputVars: [{ name: 'a', type: VariableType.INT }, { name: 'a', type: VariableType.STR }] })),
    isApi(Code.INVALID_ARGUMENT, /variable 'a' is declared twice/),
  );
  assert.throws(
    () => put(world, PutTaskDefRequest.fromPartial({ name: 'x', inputVars: [{ name: 'a', typeDef: { definedType: { $case: 'structDefId', value: { name: 'car', version: 0 } } } }] })),
    isApi(Code.INVALID_ARGUMENT, /Refers to non-existent StructDef car with version 0/),
  );
  assert.throws(
    () => put(world, PutTaskDefRequest.fromPartial({ name: 'x', inputVars: [{ name: 'a', type: VariableType.INT, defaultValue: { value: { $case: 'str', value: '1' } } }] })),
    isApi(Code.INVALID_ARGUMENT, /default value does not match its type INT/),
  );
  assert.equal(world.keysWithPrefix('m/').length, 0);
});

test('DeleteTaskDef removes it, and is NOT_FOUND when absent', () => {
  const world = new FakeWorld();
  put(world, request());
  const del = (): unknown => world.exec((ctx) => deleteTaskDef(ctx, { id: { name: 'greet' } }), { $case: 'deleteTaskDef', value: { id: { name: 'greet' } } });
  del();
  assert.equal(world.keysWithPrefix('m/default/taskdef/').length, 0);
  assert.throws(del, isApi(Code.NOT_FOUND, /TaskDef 'greet' does not exist/));
});
