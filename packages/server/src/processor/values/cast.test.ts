import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableType as VT, type TypeDefinition, type VariableValue } from '@filly/proto';
import { canCastKind, castTo, coerceForAssignment, coerceToType } from './cast.ts';
import { VarSubError } from './errors.ts';
import { ARR, B, BY, D, I, JA, JO, MAP, NUL, S, STRUCT, T, T_ARR, T_MAP, T_STRUCT, TS, WF, show } from './test-values.ts';

test('canCastKind is upstream canCastTo', () => {
  const yes: Array<[string, string]> = [
    ['INT', 'STR'], ['DOUBLE', 'STR'], ['BOOL', 'STR'], ['BYTES', 'STR'], ['WF_RUN_ID', 'STR'], ['INT', 'DOUBLE'],
    ['DOUBLE', 'INT'], ['STR', 'INT'], ['STR', 'DOUBLE'], ['STR', 'BOOL'], ['STR', 'BYTES'], ['STR', 'WF_RUN_ID'], ['BOOL', 'BOOL'],
  ];
  const no: Array<[string, string]> = [
    ['DOUBLE', 'BOOL'], ['BOOL', 'INT'], ['TIMESTAMP', 'STR'], ['JSON_OBJ', 'STR'], ['STR', 'TIMESTAMP'], ['STR', 'JSON_OBJ'], ['INT', 'BOOL'],
  ];
  for (const [s, t] of yes) assert.equal(canCastKind(s as never, t as never), true, `${s}->${t}`);
  for (const [s, t] of no) assert.equal(canCastKind(s as never, t as never), false, `${s}->${t}`);
});

test('castTo converts as upstream TypeCastingUtils.applyCast', () => {
  const cases: Array<[VariableValue, VT, VariableValue]> = [
    [I(22), VT.STR, S('22')],
    [D(22.1), VT.STR, S('22.1')],
    [D(1e7), VT.STR, S('1.0E7')],
    [D(5), VT.STR, S('5.0')],
    [B(true), VT.STR, S('true')],
    [WF('child', 'parent'), VT.STR, S('parent_child')],
    [I(3), VT.DOUBLE, D(3)],
    [I(9007199254740993n), VT.DOUBLE, D(9007199254740992)],
    [D(22.9), VT.INT, I(22)],
    [D(-22.9), VT.INT, I(-22)],
    [D(1e300), VT.INT, I(2n ** 63n - 1n)],
    [D(NaN), VT.INT, I(0)],
    [S('42'), VT.INT, I(42)],
    [S('-9223372036854775808'), VT.INT, I(-(2n ** 63n))],
    [S('+7'), VT.INT, I(7)],
    [S(' 2.5 '), VT.DOUBLE, D(2.5)],
    [S('1e3'), VT.DOUBLE, D(1000)],
    [S('1.5d'), VT.DOUBLE, D(1.5)],
    [S('NaN'), VT.DOUBLE, D(NaN)],
    [S('-Infinity'), VT.DOUBLE, D(-Infinity)],
    [S(' TRUE '), VT.BOOL, B(true)],
    [S('false'), VT.BOOL, B(false)],
    [S('héllo'), VT.BYTES, BY('héllo')],
    [S('a_b'), VT.WF_RUN_ID, WF('b', 'a')],
    [I(5), VT.INT, I(5)],
    [NUL, VT.INT, NUL],
  ];
  for (const [v, t, want] of cases) assert.equal(show(castTo(v, T(t))), show(want), `${show(v)} -> ${VT[t]}`);
});

test('castTo passes containers through and refuses unsupported or unparsable casts', () => {
  const arr = ARR([I(1)]);
  assert.equal(castTo(arr, T(VT.STR)), arr);
  const bad: Array<[VariableValue, TypeDefinition, RegExp]> = [
    [D(1.5), T(VT.BOOL), /Casting from DOUBLE to BOOL is not supported/],
    [S('not-a-number'), T(VT.INT), /Cannot parse 'not-a-number' as INT/],
    [S('1.5'), T(VT.INT), /Cannot parse '1.5' as INT/],
    [S('9223372036854775808'), T(VT.INT), /as INT/],
    [S(''), T(VT.DOUBLE), /Cannot parse '' as DOUBLE/],
    [S('0x10'), T(VT.DOUBLE), /as DOUBLE/],
    [S('maybe'), T(VT.BOOL), /Cannot parse 'maybe' as BOOL/],
    [TS(1n), T(VT.STR), /not supported/],
    [JO('{}'), T(VT.STR), /not supported/],
    [I(1), T_ARR(T(VT.INT)), /not supported/],
  ];
  for (const [v, t, re] of bad) assert.throws(() => castTo(v, t), (e: unknown) => e instanceof VarSubError && re.test(e.message), show(v));
});

test('coerceToType (ASSIGN) applies any known conversion for the declared primitive', () => {
  const cases: Array<[VariableValue, TypeDefinition, VariableValue]> = [
    [S('12'), T(VT.INT), I(12)],
    [D(2.9), T(VT.INT), I(2)],
    [I(2), T(VT.DOUBLE), D(2)],
    [I(2), T(VT.STR), S('2')],
    [TS(5n, 999), T(VT.INT), I(5000)],
    [I(7), T(VT.WF_RUN_ID), WF('7')],
    [JO('{"a":1}'), T(VT.JSON_OBJ), JO('{"a":1}')],
    [JO('{"a":1}'), { masked: false }, JO('{"a":1}')],
    [I(1), T(VT.BYTES), BY('1')],
    [JA('[1, "<"]'), T(VT.BYTES), BY('[1,"\\u003c"]')],
    [ARR([I(1)]), T_ARR(T(VT.INT)), ARR([I(1)])],
    [ARR([]), T_ARR(T(VT.STR)), ARR([])],
    [MAP([]), T_MAP(T(VT.STR), T(VT.INT)), MAP([])],
    [STRUCT('car', {}), T_STRUCT('car'), STRUCT('car', {})],
  ];
  for (const [v, t, want] of cases) assert.equal(show(coerceToType(v, t)), show(want), show(v));
  const bad: Array<[VariableValue, TypeDefinition]> = [
    [NUL, T(VT.INT)], [S('x'), T(VT.INT)], [I(1), T(VT.JSON_OBJ)], [I(1), T(VT.BOOL)], [I(1), T(VT.TIMESTAMP)],
    [ARR([S('a')]), T_ARR(T(VT.INT))], [I(1), T_ARR(T(VT.INT))], [STRUCT('car', {}), T_STRUCT('boat')], [JA('[]'), T(VT.JSON_OBJ)],
  ];
  for (const [v, t] of bad) assert.throws(() => coerceToType(v, t), VarSubError, show(v));
});

test('coerceForAssignment allows only implicit conversions and pins container types', () => {
  assert.equal(coerceForAssignment(undefined, T(VT.INT)), undefined);
  assert.equal(show(coerceForAssignment(NUL, T(VT.INT))), show(NUL));
  assert.equal(show(coerceForAssignment(I(3), T(VT.DOUBLE))), show(D(3)));
  assert.equal(show(coerceForAssignment(I(3), T(VT.STR))), show(S('3')));
  assert.equal(show(coerceForAssignment(S('x'), T(VT.STR))), show(S('x')));
  assert.equal(show(coerceForAssignment(JO('{}'), { masked: false })), show(JO('{}')));
  assert.equal(show(coerceForAssignment(ARR([I(1)]), T_ARR(T(VT.INT)))), show(ARR([I(1)], T(VT.INT))));
  const m = coerceForAssignment(MAP([[S('a'), I(1)]]), T_MAP(T(VT.STR), T(VT.INT)));
  assert.equal(m?.value?.$case === 'map' ? m.value.value.mapType?.keyType?.definedType?.$case : 'none', 'primitiveType');
  for (const [v, t] of [[S('3'), T(VT.INT)], [D(1.5), T(VT.INT)], [I(1), T(VT.BOOL)], [ARR([S('a')]), T_ARR(T(VT.INT))]] as const) {
    assert.throws(() => coerceForAssignment(v, t), VarSubError, show(v));
  }
});
