import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableMutationType as M, VariableType as VT, type TypeDefinition, type VariableValue } from '@filly/proto';
import { evaluateExpression, mutate } from './arithmetic.ts';
import { VarMutationError, VarSubError } from './errors.ts';
import { ARR, B, BY, D, I, JA, JO, MAP, NUL, S, STRUCT, T, T_ARR, T_STRUCT, WF, show } from './test-values.ts';

const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);

type Case = [VariableValue | undefined, M, VariableValue | undefined, TypeDefinition | undefined, VariableValue];

test('mutate: results and types follow upstream operate()', () => {
  const cases: Case[] = [
    // ASSIGN coerces to the declared type; NULL stays NULL.
    [I(1), M.ASSIGN, I(5), T(VT.INT), I(5)],
    [I(1), M.ASSIGN, S('12'), T(VT.INT), I(12)],
    [D(1), M.ASSIGN, I(2), T(VT.DOUBLE), D(2)],
    [S('a'), M.ASSIGN, D(2.5), T(VT.STR), S('2.5')],
    [I(1), M.ASSIGN, NUL, T(VT.INT), NUL],
    [NUL, M.ASSIGN, JO('{"a":1}'), T(VT.JSON_OBJ), JO('{"a":1}')],
    // Numbers: INT stays INT, wrapping like Java long.
    [I(5), M.ADD, I(3), undefined, I(8)],
    [I(5), M.ADD, D(2.7), T(VT.INT), I(7)],
    [I(5), M.ADD, S('4'), T(VT.INT), I(9)],
    [I(MAX), M.ADD, I(1), T(VT.INT), I(MIN)],
    [I(5), M.ADD, I(1), T(VT.DOUBLE), D(6)],
    [D(1.5), M.ADD, I(2), T(VT.DOUBLE), D(3.5)],
    [S('ab'), M.ADD, I(1), T(VT.STR), S('ab1')],
    [S('ab'), M.ADD, D(1), T(VT.STR), S('ab1.0')],
    [JA('[1]'), M.ADD, S('x'), T(VT.JSON_ARR), JA('[1,"x"]')],
    [JA('[]'), M.ADD, JO('{"k":2}'), T(VT.JSON_ARR), JA('[{"k":2}]')],
    [I(5), M.SUBTRACT, I(7), T(VT.INT), I(-2)],
    [I(5), M.SUBTRACT, D(0.5), T(VT.INT), I(4)],
    [I(MIN), M.SUBTRACT, I(1), T(VT.INT), I(MAX)],
    [D(5), M.SUBTRACT, I(1), T(VT.DOUBLE), D(4)],
    [I(6), M.MULTIPLY, I(7), T(VT.INT), I(42)],
    [I(3), M.MULTIPLY, D(1.5), T(VT.INT), I(4)],
    [I(2n ** 62n), M.MULTIPLY, I(4), T(VT.INT), I(0)],
    [I(MAX), M.MULTIPLY, D(10), T(VT.INT), I(MAX)],
    [D(1.5), M.MULTIPLY, D(2), T(VT.DOUBLE), D(3)],
    [I(7), M.DIVIDE, I(2), T(VT.INT), I(3)],
    [I(-7), M.DIVIDE, I(2), T(VT.INT), I(-3)],
    [I(MIN), M.DIVIDE, I(-1), T(VT.INT), I(MIN)],
    [I(7), M.DIVIDE, D(0.5), T(VT.INT), I(14)],
    [I(7), M.DIVIDE, I(2), T(VT.DOUBLE), D(3.5)],
    [D(1), M.DIVIDE, D(4), T(VT.DOUBLE), D(0.25)],
    [I(2), M.POW, I(10), T(VT.INT), I(1024)],
    [I(2), M.POW, I(-1), T(VT.INT), I(0)],
    [I(2), M.POW, D(0.5), T(VT.DOUBLE), D(Math.SQRT2)],
    [D(9), M.POW, I(2), T(VT.DOUBLE), D(81)],
    [I(2), M.POW, I(63), T(VT.INT), I(MAX)],
    // Booleans with Java short-circuit.
    [B(true), M.AND, B(false), T(VT.BOOL), B(false)],
    [B(true), M.AND, B(true), T(VT.BOOL), B(true)],
    [B(false), M.AND, I(1), T(VT.BOOL), B(false)],
    [B(true), M.OR, I(1), T(VT.BOOL), B(true)],
    [B(false), M.OR, S(' TRUE'), T(VT.BOOL), B(true)],
    // EXTEND.
    [S('ab'), M.EXTEND, S('cd'), T(VT.STR), S('abcd')],
    [S('ab'), M.EXTEND, NUL, T(VT.STR), S('abnull')],
    [S('ab'), M.EXTEND, I(3), T(VT.STR), S('ab3')],
    [JA('[1]'), M.EXTEND, JA('[2,"x"]'), T(VT.JSON_ARR), JA('[1,2,"x"]')],
    [BY('ab'), M.EXTEND, BY('cd'), T(VT.BYTES), BY('abcd')],
    [BY('ab'), M.EXTEND, S('c'), T(VT.BYTES), BY('abc')],
    [ARR([I(1)], T(VT.INT)), M.EXTEND, I(2), T_ARR(T(VT.INT)), ARR([I(1), I(2)], T(VT.INT))],
    [ARR([I(1)], T(VT.INT)), M.EXTEND, ARR([I(2), I(3)], T(VT.INT)), T_ARR(T(VT.INT)), ARR([I(1), I(2), I(3)], T(VT.INT))],
    [ARR([I(1)], T(VT.DOUBLE)), M.EXTEND, I(2), T_ARR(T(VT.DOUBLE)), ARR([I(1), D(2)], T(VT.DOUBLE))],
    [ARR([]), M.EXTEND, S('x'), undefined, ARR([S('x')])],
    [MAP([[S('a'), I(1)], [S('b'), I(2)]]), M.EXTEND, MAP([[S('b'), I(9)], [S('c'), I(3)]]), undefined,
      MAP([[S('a'), I(1)], [S('b'), I(9)], [S('c'), I(3)]])],
    // REMOVE_*.
    [JA('[1,2,1,"1",1.0]'), M.REMOVE_IF_PRESENT, I(1), T(VT.JSON_ARR), JA('[2,"1",1.0]')],
    [JA('[{"a":1},{"a":2}]'), M.REMOVE_IF_PRESENT, JO('{"a":1}'), T(VT.JSON_ARR), JA('[{"a":2}]')],
    [JA('[null,1]'), M.REMOVE_IF_PRESENT, NUL, T(VT.JSON_ARR), JA('[1]')],
    [JA('[1]'), M.REMOVE_IF_PRESENT, WF('1'), T(VT.JSON_ARR), JA('[1]')],
    [ARR([I(1), I(2), I(1)], T(VT.INT)), M.REMOVE_IF_PRESENT, I(1), T_ARR(T(VT.INT)), ARR([I(2)], T(VT.INT))],
    [ARR([D(1), D(2)], T(VT.DOUBLE)), M.REMOVE_IF_PRESENT, I(2), T_ARR(T(VT.DOUBLE)), ARR([D(1)], T(VT.DOUBLE))],
    [JA('["a","b","c"]'), M.REMOVE_INDEX, I(1), T(VT.JSON_ARR), JA('["a","c"]')],
    [JA('["a","b"]'), M.REMOVE_INDEX, S('0'), T(VT.JSON_ARR), JA('["b"]')],
    [ARR([I(1), I(2)]), M.REMOVE_INDEX, I(0), undefined, ARR([I(2)])],
    [JO('{"a":1,"b":2}'), M.REMOVE_KEY, S('a'), T(VT.JSON_OBJ), JO('{"b":2}')],
    [JO('{"1":1}'), M.REMOVE_KEY, I(1), T(VT.JSON_OBJ), JO('{}')],
    [JO('{"a":1}'), M.REMOVE_KEY, S('zz'), T(VT.JSON_OBJ), JO('{"a":1}')],
    [MAP([[S('a'), I(1)], [S('b'), I(2)]]), M.REMOVE_KEY, S('a'), undefined, MAP([[S('b'), I(2)]])],
    [MAP([[I(1), I(1)]]), M.REMOVE_KEY, S('1'), undefined, MAP([[I(1), I(1)]])],
  ];
  for (const [l, op, r, decl, want] of cases) {
    assert.equal(show(mutate(l, op, r, decl)), show(want), `${show(l)} ${M[op]} ${show(r)}`);
  }
});

test('mutate failures are VarMutationError', () => {
  const bad: Array<[VariableValue | undefined, M, VariableValue | undefined, TypeDefinition | undefined]> = [
    [I(1), M.ADD, NUL, T(VT.INT)], [I(1), M.ADD, ARR([]), T(VT.INT)], [B(true), M.ADD, B(true), T(VT.BOOL)],
    [ARR([I(1)]), M.ADD, I(1), T_ARR(T(VT.INT))], [I(1), M.ADD, S('x'), T(VT.INT)], [NUL, M.ADD, I(1), undefined],
    [S('a'), M.SUBTRACT, I(1), T(VT.STR)], [S('a'), M.MULTIPLY, I(1), T(VT.STR)],
    [I(1), M.DIVIDE, I(0), T(VT.INT)], [D(1), M.DIVIDE, D(0), T(VT.DOUBLE)], [I(1), M.DIVIDE, S('0.0'), T(VT.INT)],
    [I(1), M.POW, S('2'), T(VT.INT)], [S('2'), M.POW, I(2), T(VT.STR)], [D(10), M.POW, I(400), T(VT.DOUBLE)], [I(2), M.POW, I(64), T(VT.INT)],
    [I(1), M.AND, B(true), T(VT.INT)], [B(true), M.AND, I(1), T(VT.BOOL)], [B(false), M.OR, I(1), T(VT.BOOL)],
    [I(1), M.EXTEND, I(1), T(VT.INT)], [JA('[]'), M.EXTEND, I(1), T(VT.JSON_ARR)], [MAP([]), M.EXTEND, I(1), undefined],
    [ARR([], T(VT.INT)), M.EXTEND, S('x'), T_ARR(T(VT.INT))],
    [JA('[1]'), M.REMOVE_INDEX, I(1), T(VT.JSON_ARR)], [JA('[1]'), M.REMOVE_INDEX, I(-1), T(VT.JSON_ARR)],
    [ARR([I(1)]), M.REMOVE_INDEX, I(3), undefined], [JA('[1]'), M.REMOVE_INDEX, NUL, T(VT.JSON_ARR)],
    [I(1), M.REMOVE_INDEX, I(0), T(VT.INT)], [I(1), M.REMOVE_IF_PRESENT, I(0), T(VT.INT)], [JA('[]'), M.REMOVE_KEY, S('a'), T(VT.JSON_ARR)],
    [STRUCT('c', {}), M.ADD, I(1), T_STRUCT('c')], [I(1), M.ASSIGN, S('x'), T(VT.INT)], [I(1), M.ASSIGN, JO('{}'), T(VT.INT)],
    [NUL, M.ASSIGN, I(1), undefined], [JA('[bad'), M.ADD, I(1), T(VT.JSON_ARR)],
  ];
  for (const [l, op, r, decl] of bad) {
    assert.throws(() => mutate(l, op, r, decl), VarMutationError, `${show(l)} ${M[op]} ${show(r)}`);
  }
});

test('mutate does not modify its inputs', () => {
  const arr = ARR([I(1)], T(VT.INT));
  const before = show(arr);
  mutate(arr, M.EXTEND, I(2), T_ARR(T(VT.INT)));
  mutate(arr, M.REMOVE_INDEX, I(0), T_ARR(T(VT.INT)));
  assert.equal(show(arr), before);
});

test('evaluateExpression widens INT op DOUBLE to DOUBLE and reports VarSubError', () => {
  assert.equal(show(evaluateExpression(I(5), M.ADD, D(2.5))), show(D(7.5)));
  assert.equal(show(evaluateExpression(I(7), M.DIVIDE, I(2))), show(I(3)));
  assert.equal(show(evaluateExpression(D(1), M.ADD, I(2))), show(D(3)));
  assert.equal(show(evaluateExpression(S('a'), M.ADD, I(2))), show(S('a2')));
  assert.equal(show(evaluateExpression(B(true), M.AND, B(false))), show(B(false)));
  assert.throws(() => evaluateExpression(I(1), M.DIVIDE, I(0)), VarSubError);
  assert.throws(() => evaluateExpression(I(1), M.DIVIDE, I(0)), (e: unknown) => !(e instanceof VarMutationError));
});
