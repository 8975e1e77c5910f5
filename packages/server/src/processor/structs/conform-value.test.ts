import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableType, type StructDef, type VariableValue } from '@filly/proto';
import { conformProblem } from './conform-value.ts';
import type { StructDefLookup } from './struct-def-lookup.ts';
import { int, personDef, prim, str, structType, structValue } from './test-structs.ts';

const person: StructDef = { id: { name: 'person', version: 0 }, structDef: personDef() };
const structs: StructDefLookup = (name, version) => (name === 'person' && (version === 0 || version === -1) ? person : undefined);

test('a struct with every required field fits, keeps extra fields and gets its masked flags and pinned id', () => {
  const v = structValue('person', { name: str('Ada'), age: int(36), ssn: str('123'), extra: str('kept') }, -1);
  assert.equal(conformProblem(v, structType('person', -1), structs), undefined);
  assert.ok(v.value?.$case === 'struct');
  assert.deepEqual(v.value.value.structDefId, { name: 'person', version: 0 });
  assert.equal(v.value.value.struct?.fields['ssn']?.masked, true);
  assert.equal(v.value.value.struct?.fields['name']?.masked, false);
  assert.ok(v.value.value.struct?.fields['extra'] !== undefined);
});

test('a wrong field type is refused naming the field and both types', () => {
  const v = structValue('person', { name: str('Ada'), age: str('old') });
  assert.equal(conformProblem(v, structType('person', 0), structs),
    "Struct incompatible with StructDef person/00000: Field 'age' is invalid: StructFieldDef validation failed: Value of type STR is not compatible with expected type INT");
});

test('missing required fields, nulls in non-nullable fields and other StructDefs are refused', () => {
  assert.match(conformProblem(structValue('person', { name: str('Ada') }), structType('person'), structs) ?? '', /Missing required field age$/);
  assert.match(conformProblem(structValue('person', { name: str('Ada'), age: {} }), structType('person'), structs) ?? '',
    /Field 'age' is invalid: Field is not nullable but received null value/);
  assert.equal(conformProblem(structValue('person', { name: str('Ada'), age: int(1), nickname: {} }), structType('person'), structs), undefined);
  assert.match(conformProblem(structValue('car', {}), structType('person'), structs) ?? '',
    /Value of type Struct<car,v0> is not compatible with expected type Struct<person,v-1>/);
  assert.match(conformProblem(structValue('ghost', {}), structType('ghost', 2), structs) ?? '', /StructDef ghost\/00002 does not exist/);
});

test('typed arrays and maps check their items and get their declared types pinned', () => {
  const ints = prim(VariableType.INT);
  const arr: VariableValue = { value: { $case: 'array', value: { items: [int(1), int(2)] } } };
  const arrType = { definedType: { $case: 'inlineArrayDef' as const, value: { arrayType: ints } }, masked: false };
  assert.equal(conformProblem(arr, arrType, structs), undefined);
  assert.ok(arr.value?.$case === 'array');
  assert.deepEqual(arr.value.value.elementType, ints);
  const bad: VariableValue = { value: { $case: 'array', value: { items: [int(1), str('x')] } } };
  assert.match(conformProblem(bad, arrType, structs) ?? '', /Array element type STR incompatible with expected element type INT/);
  const mapType = { definedType: { $case: 'inlineMapDef' as const, value: { keyType: prim(VariableType.STR), valueType: ints } }, masked: false };
  const badMap: VariableValue = { value: { $case: 'map', value: { entries: [{ key: str('a'), value: str('b') }] } } };
  assert.match(conformProblem(badMap, mapType, structs) ?? '', /Map value type STR incompatible with expected value type INT/);
});
