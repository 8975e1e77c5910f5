import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Comparator as C, type VariableValue } from '@filly/proto';
import { compare } from './compare.ts';
import { VarSubError } from './errors.ts';
import { ARR, B, BY, D, I, JA, JO, MAP, NUL, S, STRUCT, TS, WF, show } from './test-values.ts';

test('magnitude and equality between values of the same kind', () => {
  const cases: Array<[VariableValue | undefined, C, VariableValue | undefined, boolean]> = [
    [I(1), C.LESS_THAN, I(2), true], [I(2), C.LESS_THAN, I(2), false], [I(2), C.LESS_THAN_EQ, I(2), true],
    [I(2n ** 62n + 1n), C.GREATER_THAN, I(2n ** 62n), true], [I(-3), C.GREATER_THAN_EQ, I(-3), true],
    [D(1.5), C.GREATER_THAN, D(1.25), true], [D(NaN), C.GREATER_THAN, D(Infinity), true], [D(NaN), C.EQUALS, D(NaN), true],
    [D(-0), C.LESS_THAN, D(0), true], [S('apple'), C.LESS_THAN, S('banana'), true], [S('B'), C.LESS_THAN, S('a'), true],
    [S('x'), C.EQUALS, S('x'), true], [S('x'), C.NOT_EQUALS, S('y'), true], [B(false), C.LESS_THAN, B(true), true],
    [WF('b'), C.GREATER_THAN, WF('a'), true], [WF('c', 'p'), C.EQUALS, WF('c', 'p'), true],
    [NUL, C.EQUALS, NUL, true], [undefined, C.EQUALS, NUL, true], [NUL, C.LESS_THAN, I(5), true], [I(5), C.GREATER_THAN, NUL, true],
    [NUL, C.EQUALS, S('x'), false], [S('x'), C.NOT_EQUALS, NUL, true],
    [STRUCT('c', { a: I(1) }), C.EQUALS, STRUCT('c', { a: I(1) }), true], [STRUCT('c', { a: I(1) }), C.EQUALS, STRUCT('c', { a: I(2) }), false],
  ];
  for (const [l, op, r, want] of cases) assert.equal(compare(l, op, r), want, `${show(l)} ${C[op]} ${show(r)}`);
});

test('comparisons upstream cannot perform are VarSubError (no implicit cast, no JSON/BYTES/TIMESTAMP/ARRAY/MAP)', () => {
  const bad: Array<[VariableValue, VariableValue]> = [
    [I(1), D(1)], [D(1), I(1)], [I(1), S('1')], [S('true'), B(true)], [JO('{}'), JO('{}')], [JA('[]'), JA('[]')],
    [BY('a'), BY('a')], [TS(1n), TS(1n)], [ARR([]), ARR([])], [MAP([]), MAP([])],
  ];
  for (const [l, r] of bad) {
    for (const op of [C.EQUALS, C.LESS_THAN]) assert.throws(() => compare(l, op, r), VarSubError, `${show(l)} ${C[op]} ${show(r)}`);
  }
  assert.throws(() => compare(I(1), C.UNRECOGNIZED, I(1)), VarSubError);
});

test('IN / NOT_IN look for the left value inside the right one', () => {
  const cases: Array<[VariableValue | undefined, VariableValue, boolean]> = [
    [S('ell'), S('hello'), true], [S('xyz'), S('hello'), false], [I(1), S('a1b'), true], [D(2.5), S('x2.5'), true],
    [I(2), JA('[1,2,3]'), true], [D(2), JA('[1,2,3]'), true], [I(2), JA('[1.0,2.0]'), true], [S('2'), JA('[1,2]'), false],
    [NUL, JA('[1,null]'), true], [NUL, JA('[1]'), false], [JO('{"a":1}'), JA('[{"a":1.0,"b":2}]'), true],
    [WF('a'), JA('["a"]'), false], [JA('[1]'), JA('[[1],[2]]'), true],
    [S('k'), JO('{"k":1}'), true], [I(1), JO('{"1":true}'), true], [S('z'), JO('{"k":1}'), false], [NUL, JO('{"k":1}'), false],
    [I(1), ARR([I(1), I(2)]), true], [D(1), ARR([I(1)]), false], [S('k'), MAP([[S('k'), I(1)]]), true], [I(1), MAP([[S('k'), I(1)]]), false],
  ];
  for (const [needle, container, want] of cases) {
    assert.equal(compare(needle, C.IN, container), want, `${show(needle)} IN ${show(container)}`);
    assert.equal(compare(needle, C.NOT_IN, container), !want);
  }
  for (const container of [I(1), D(1), B(true), BY('x'), TS(1n), WF('a'), NUL, STRUCT('c', {})]) {
    assert.throws(() => compare(S('x'), C.IN, container), VarSubError, show(container));
  }
  assert.throws(() => compare(NUL, C.IN, S('abc')), VarSubError);
});
