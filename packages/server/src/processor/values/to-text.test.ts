import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VariableValue } from '@filly/proto';
import { javaDoubleToString, stringifyJsonTree } from './java-text.ts';
import { parseJsonTree } from './json-tree.ts';
import { toText } from './to-text.ts';
import { ARR, B, BY, D, I, JA, JO, MAP, NUL, S, STRUCT, TS, WF } from './test-values.ts';

test('javaDoubleToString matches the JVM (values checked against OpenJDK)', () => {
  const cases: Array<[number, string]> = [
    [22.1, '22.1'], [1, '1.0'], [100, '100.0'], [0.001, '0.001'], [1e7, '1.0E7'], [1.2345e-5, '1.2345E-5'],
    [9999999, '9999999.0'], [12345678.9, '1.23456789E7'], [-0, '-0.0'], [0, '0.0'], [1e21, '1.0E21'],
    [123456789012, '1.23456789012E11'], [4.35, '4.35'], [0.3, '0.3'], [5e-324, '4.9E-324'],
    [1.7976931348623157e308, '1.7976931348623157E308'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
    [-1.5, '-1.5'], [0.0001, '1.0E-4'],
  ];
  for (const [d, want] of cases) assert.equal(javaDoubleToString(d), want, String(d));
});

test('JSON is re-serialised like Gson: compact, doubles Java-style, HTML-safe escapes', () => {
  const cases: Array<[string, string]> = [
    ['{ "a" : 1 , "b": 1.0, "c": 1e2 }', '{"a":1,"b":1.0,"c":100.0}'],
    ['["<a href=\'x\'>&"]', '["\\u003ca href\\u003d\\u0027x\\u0027\\u003e\\u0026"]'],
    ['"\\u0001\\t"', '"\\u0001\\t"'],
    ['[99999999999999999999]', '[1.0E20]'],
  ];
  for (const [inp, want] of cases) assert.equal(stringifyJsonTree(parseJsonTree(inp, 10)), want);
});

test('toText renders each kind as upstream asStr() would', () => {
  const cases: Array<[VariableValue | undefined, string]> = [
    [undefined, 'null'], [NUL, 'null'], [S('x'), 'x'], [I(-5), '-5'], [I(2n ** 63n - 1n), '9223372036854775807'],
    [D(22.1), '22.1'], [D(3), '3.0'], [B(true), 'true'], [JO('{"a":1,"b":[1.5,"x",null],"c":{"d":true}}'), '{a=1, b=[1.5, x, null], c={d=true}}'],
    [JA('[]'), '[]'], [BY('hi'), 'aGk='], [WF('c', 'p'), 'p_c'], [TS(12n, 5), 'seconds: 12\nnanos: 5\n'], [TS(0n), ''],
    [ARR([I(1), S('a')]), '[1, a]'], [MAP([[S('k'), D(1)]]), '{k=1.0}'], [STRUCT('car', { b: I(2), a: S('x') }), '{a=x, b=2}'],
  ];
  for (const [v, want] of cases) assert.equal(toText(v), want);
});
