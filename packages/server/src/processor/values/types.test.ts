import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableType as VT, type TypeDefinition, type VariableValue } from '@filly/proto';
import { declaredKind, isMasked, kindOf, matchesType, typeDefOfVariableDef, typeOfValue, typesEqual, typeToString } from './types.ts';
import { ARR, B, BY, D, I, JA, JO, MAP, NUL, S, STRUCT, T, T_ARR, T_MAP, T_STRUCT, TS, WF } from './test-values.ts';

test('kindOf names every oneof case, NULL for unset or undefined', () => {
  const cases: Array<[VariableValue | undefined, string]> = [
    [undefined, 'NULL'], [NUL, 'NULL'], [JO('{}'), 'JSON_OBJ'], [JA('[]'), 'JSON_ARR'], [D(1), 'DOUBLE'], [B(true), 'BOOL'],
    [S(''), 'STR'], [I(1), 'INT'], [BY('x'), 'BYTES'], [WF('a'), 'WF_RUN_ID'], [TS(1n), 'TIMESTAMP'],
    [STRUCT('car', {}), 'STRUCT'], [ARR([]), 'ARRAY'], [MAP([]), 'MAP'],
  ];
  for (const [v, k] of cases) assert.equal(kindOf(v), k);
});

test('declaredKind: unset defined_type is JSON_OBJ; containers map to STRUCT/ARRAY/MAP', () => {
  assert.equal(declaredKind(undefined), 'JSON_OBJ');
  assert.equal(declaredKind({ masked: false }), 'JSON_OBJ');
  assert.equal(declaredKind(T(VT.INT)), 'INT');
  assert.equal(declaredKind(T(VT.TIMESTAMP)), 'TIMESTAMP');
  assert.equal(declaredKind(T_STRUCT('x')), 'STRUCT');
  assert.equal(declaredKind(T_ARR(T(VT.INT))), 'ARRAY');
  assert.equal(declaredKind(T_MAP(T(VT.STR), T(VT.INT))), 'MAP');
  assert.throws(() => declaredKind(T(VT.UNRECOGNIZED)));
});

test('typeDefOfVariableDef reads the deprecated type/masked_value and the new type_def', () => {
  const old = typeDefOfVariableDef({ name: 'a', type: VT.STR, maskedValue: true });
  assert.deepEqual(old, T(VT.STR, true));
  const oldUnmasked = typeDefOfVariableDef({ name: 'a', type: VT.INT });
  assert.deepEqual(oldUnmasked, T(VT.INT, false));
  assert.deepEqual(typeDefOfVariableDef({ name: 'a', typeDef: T(VT.BOOL) }), T(VT.BOOL));
  // Neither given, or type_def with nothing set: JSON_OBJ (keeping the masked flag).
  assert.deepEqual(typeDefOfVariableDef({ name: 'a' }), T(VT.JSON_OBJ));
  assert.deepEqual(typeDefOfVariableDef({ name: 'a', typeDef: { masked: true } }), T(VT.JSON_OBJ, true));
  assert.equal(isMasked({ name: 'a', type: VT.STR, maskedValue: true }), true);
  assert.equal(isMasked({ name: 'a', typeDef: T(VT.STR, true) }), true);
  assert.equal(isMasked({ name: 'a', typeDef: T(VT.STR) }), false);
});

test('typeOfValue: containers infer their element types from the declared type or the first item', () => {
  assert.equal(typeOfValue(NUL), undefined);
  assert.ok(typesEqual(typeOfValue(I(1)), T(VT.INT)));
  assert.ok(typesEqual(typeOfValue(TS(1n)), T(VT.TIMESTAMP)));
  assert.ok(typesEqual(typeOfValue(ARR([S('a')])), T_ARR(T(VT.STR))));
  assert.ok(typesEqual(typeOfValue(ARR([], T(VT.INT))), T_ARR(T(VT.INT))));
  assert.equal(typeOfValue(ARR([]))?.definedType?.$case, 'inlineArrayDef');
  assert.ok(typesEqual(typeOfValue(MAP([[S('k'), I(1)]])), T_MAP(T(VT.STR), T(VT.INT))));
  assert.ok(typesEqual(typeOfValue(STRUCT('car', {})), T_STRUCT('car')));
});

test('typesEqual ignores masked but not structure', () => {
  assert.ok(typesEqual(T(VT.INT, true), T(VT.INT)));
  assert.ok(!typesEqual(T(VT.INT), T(VT.DOUBLE)));
  assert.ok(!typesEqual(T_ARR(T(VT.INT)), T_ARR(T(VT.STR))));
  assert.ok(!typesEqual(T_STRUCT('a', 1), T_STRUCT('a', 2)));
  assert.ok(typesEqual(undefined, { masked: false }));
});

test('matchesType follows upstream compatibility (implicit INT→DOUBLE and primitive→STR allowed)', () => {
  const cases: Array<[VariableValue, TypeDefinition, boolean]> = [
    [NUL, T(VT.INT), true],
    [I(1), T(VT.INT), true],
    [I(1), T(VT.DOUBLE), true],
    [D(1), T(VT.INT), false],
    [I(1), T(VT.STR), true],
    [B(true), T(VT.STR), true],
    [WF('a'), T(VT.STR), true],
    [TS(1n), T(VT.STR), false],
    [JO('{}'), T(VT.STR), false],
    [S('1'), T(VT.INT), false],
    [JO('{}'), T(VT.JSON_OBJ), true],
    [JO('{}'), { masked: false }, true],
    [JA('[]'), T(VT.JSON_OBJ), false],
    [ARR([I(1), I(2)]), T_ARR(T(VT.INT)), true],
    [ARR([I(1), S('x')]), T_ARR(T(VT.INT)), false],
    [ARR([]), T_ARR(T(VT.STR)), true],
    [ARR([S('a')]), T_ARR(T(VT.INT)), false],
    [ARR([I(1)]), T(VT.JSON_ARR), false],
    [MAP([[S('a'), I(1)]]), T_MAP(T(VT.STR), T(VT.INT)), true],
    [MAP([[S('a'), I(1)], [S('b'), S('x')]]), T_MAP(T(VT.STR), T(VT.INT)), false],
    [MAP([]), T_MAP(T(VT.STR), T(VT.INT)), true],
    [STRUCT('car', {}), T_STRUCT('car', 3), true],
    [STRUCT('car', {}), T_STRUCT('boat'), false],
  ];
  for (const [v, t, want] of cases) assert.equal(matchesType(v, t), want, `${kindOf(v)} vs ${typeToString(t)}`);
});

test('typeToString matches upstream wording', () => {
  assert.equal(typeToString(T(VT.INT)), 'INT');
  assert.equal(typeToString(T(VT.STR, true)), 'STR MASKED');
  assert.equal(typeToString(T_STRUCT('car', 2)), 'Struct<car,v2>');
  assert.equal(typeToString(T_ARR(T(VT.INT))), 'Array<INT>');
  assert.equal(typeToString(T_MAP(T(VT.STR), T(VT.INT))), 'Map<STR, INT>');
  assert.equal(typeToString(undefined), 'DEFINEDTYPE_NOT_SET');
});
