import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableType as VT, type VariableValue } from '@filly/proto';
import { valuesEqual } from './equal.ts';
import { ARR, B, BY, D, I, JA, JO, MAP, NUL, S, STRUCT, T, TS, WF } from './test-values.ts';

test('valuesEqual is protobuf equality after JSON normalisation', () => {
  const same: Array<[VariableValue | undefined, VariableValue | undefined]> = [
    [undefined, NUL], [I(1), I(1)], [D(NaN), D(NaN)], [S('a'), S('a')], [B(true), B(true)], [BY('x'), BY('x')],
    [JO('{"a": 1}'), JO('{"a":1}')], [JA('[ 1 , 2 ]'), JA('[1,2]')], [WF('c', 'p'), WF('c', 'p')], [TS(1n, 2), TS(1n, 2)],
    [ARR([I(1)]), ARR([I(1)])], [MAP([[S('k'), I(1)]]), MAP([[S('k'), I(1)]])],
    [STRUCT('c', { a: I(1), b: S('x') }), STRUCT('c', { b: S('x'), a: I(1) })], [JO('{bad'), JO('{bad')],
  ];
  const diff: Array<[VariableValue | undefined, VariableValue | undefined]> = [
    [NUL, I(0)], [I(1), D(1)], [D(0), D(-0)], [S('a'), S('b')], [JO('{"a":1,"b":2}'), JO('{"b":2,"a":1}')],
    [JO('{"a":1}'), JO('{"a":1.0}')], [JA('[1]'), JO('{}')], [WF('c', 'p'), WF('c')], [TS(1n), TS(1n, 1)],
    [ARR([I(1)]), ARR([I(1)], T(VT.INT))], [ARR([I(1)]), ARR([I(1), I(2)])], [MAP([[S('k'), I(1)]]), MAP([[S('k'), I(2)]])],
    [STRUCT('c', { a: I(1) }), STRUCT('d', { a: I(1) })], [BY('x'), BY('y')], [S('1'), I(1)],
  ];
  for (const [a, b] of same) assert.equal(valuesEqual(a, b), true, JSON.stringify(a?.value?.$case));
  for (const [a, b] of diff) assert.equal(valuesEqual(a, b), false, JSON.stringify(a?.value?.$case));
});
