import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutStructDefRequest, StructDef, StructDefCompatibilityType, VariableType } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { FakeWorld } from '../testing/fake-context.ts';
import { putStructDef } from '../handlers/put-struct-def.ts';
import { deleteStructDef } from '../handlers/delete-struct-def.ts';
import { isValidEvolution } from './evolve.ts';
import { structDefLookupOf } from './struct-def-lookup.ts';
import { field, personDef, prim, putPersonRequest, structType } from './test-structs.ts';

function put(world: FakeWorld, partial: Partial<PutStructDefRequest>): StructDef {
  const req = PutStructDefRequest.fromPartial(partial);
  const out = world.exec((ctx) => putStructDef(ctx, req), { $case: 'putStructDef', value: req });
  assert.ok(out);
  return StructDef.decode(out);
}

function refused(world: FakeWorld, partial: Partial<PutStructDefRequest>, code: number, message: RegExp): void {
  assert.throws(() => put(world, partial), (e: unknown) => e instanceof ApiError && e.code === code && message.test(e.message));
}

test('the first PutStructDef is version 0; an identical one returns it; a new description makes version 1', () => {
  const world = new FakeWorld({ nowMs: 3_000 });
  const first = put(world, putPersonRequest());
  assert.deepEqual(first.id, { name: 'person', version: 0 });
  assert.equal(first.createdAt?.seconds, 3n);
  world.advanceMs(1_000);
  assert.equal(put(world, putPersonRequest()).createdAt?.seconds, 3n);
  const described = put(world, { ...putPersonRequest(), description: 'a human' });
  assert.deepEqual(described.id, { name: 'person', version: 1 });
  assert.equal(described.description, 'a human');
});

test('NO_SCHEMA_UPDATES refuses any changed field, naming it', () => {
  const world = new FakeWorld();
  put(world, putPersonRequest());
  const changed = personDef();
  changed.fields['age'] = field(prim(VariableType.DOUBLE));
  refused(world, putPersonRequest(changed), Code.INVALID_ARGUMENT,
    /^Incompatible StructDef evolution on field\(s\): \[age\] using NO_SCHEMA_UPDATES compatibility type$/);
});

test('FULLY_COMPATIBLE_SCHEMA_UPDATES allows optional fields and refuses new required ones', () => {
  const world = new FakeWorld();
  put(world, putPersonRequest());
  const optional = personDef();
  optional.fields['email'] = field(prim(VariableType.STR), { isNullable: true });
  const v1 = put(world, putPersonRequest(optional, StructDefCompatibilityType.FULLY_COMPATIBLE_SCHEMA_UPDATES));
  assert.equal(v1.id?.version, 1);
  const required = personDef();
  required.fields['height'] = field(prim(VariableType.DOUBLE));
  delete required.fields['name'];
  refused(world, putPersonRequest(required, StructDefCompatibilityType.FULLY_COMPATIBLE_SCHEMA_UPDATES), Code.INVALID_ARGUMENT,
    /field\(s\): \[height, name\] using FULLY_COMPATIBLE_SCHEMA_UPDATES/);
});

test('schema problems are INVALID_ARGUMENT with the reason', () => {
  const world = new FakeWorld();
  refused(world, { name: 'bad_name', structDef: personDef() }, Code.INVALID_ARGUMENT, /StructDef name must be a valid hostname/);
  refused(world, { name: 'p', structDef: { fields: { First: field(prim(VariableType.STR)) } } }, Code.INVALID_ARGUMENT,
    /StructDef validation failed: StructDef field name 'First' invalid: first letter must be lowercase/);
  refused(world, { name: 'p', structDef: { fields: { my_field: field(prim(VariableType.STR)) } } }, Code.INVALID_ARGUMENT, /underscores/);
  refused(world, { name: 'p', structDef: { fields: { blob: field(prim(VariableType.JSON_OBJ)) } } }, Code.INVALID_ARGUMENT,
    /StructDef field 'blob' invalid: Forbidden JSON type: JSON_OBJ/);
  refused(world, { name: 'p', structDef: { fields: { owner: field(structType('person')) } } }, Code.INVALID_ARGUMENT,
    /Refers to non-existent StructDef person/);
  refused(world, { name: 'p', structDef: { fields: { n: field(prim(VariableType.INT), { defaultValue: { value: { $case: 'str', value: 'x' } } }) } } },
    Code.INVALID_ARGUMENT, /StructDef field 'n' invalid: StructFieldDef validation failed: Value of type STR is not compatible with expected type INT/);
  refused(world, { name: 'p', structDef: { fields: { n: field(prim(VariableType.INT), { defaultValue: {} }) } } },
    Code.INVALID_ARGUMENT, /Non-nullable field cannot have a null default value/);
});

test('a field naming another StructDef by "latest" is pinned to its concrete version', () => {
  const world = new FakeWorld();
  put(world, putPersonRequest());
  const car = put(world, { name: 'car', structDef: { fields: { owner: field(structType('person', -1)) } } });
  assert.deepEqual(car.structDef?.fields['owner']?.fieldType?.definedType, { $case: 'structDefId', value: { name: 'person', version: 0 } });
});

test('DeleteStructDef removes one version, moves "latest" back, and is NOT_FOUND when absent', () => {
  const world = new FakeWorld();
  put(world, putPersonRequest());
  put(world, { ...putPersonRequest(), description: 'v1' });
  const del = (version: number) => world.exec((ctx) => deleteStructDef(ctx, { id: { name: 'person', version } }),
    { $case: 'deleteStructDef', value: { id: { name: 'person', version } } });
  del(1);
  const ctx = world.begin(undefined);
  assert.equal(structDefLookupOf(ctx, 'default')('person', -1)?.id?.version, 0);
  assert.throws(() => del(1), (e: unknown) => e instanceof ApiError && e.code === Code.NOT_FOUND && /Couldn't find provided StructDef/.test(e.message));
  del(0);
  assert.equal(structDefLookupOf(world.begin(undefined), 'default')('person', -1), undefined);
});

test('ValidateStructDefEvolution: valid with nothing stored, else by the compatibility type', () => {
  const world = new FakeWorld();
  const structs = () => structDefLookupOf(world.begin(undefined), 'default');
  assert.equal(isValidEvolution('person', -1, personDef(), StructDefCompatibilityType.NO_SCHEMA_UPDATES, structs()), true);
  put(world, putPersonRequest());
  const optional = personDef();
  optional.fields['email'] = field(prim(VariableType.STR), { isNullable: true });
  assert.equal(isValidEvolution('person', -1, optional, StructDefCompatibilityType.FULLY_COMPATIBLE_SCHEMA_UPDATES, structs()), true);
  assert.equal(isValidEvolution('person', 0, optional, StructDefCompatibilityType.NO_SCHEMA_UPDATES, structs()), false);
  assert.throws(() => isValidEvolution('person', -1, { fields: { Bad: field(prim(VariableType.STR)) } }, 0, structs()),
    (e: unknown) => e instanceof ApiError && /^StructDef evolution request invalid: /.test(e.message));
});
