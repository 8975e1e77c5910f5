import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VarSubError } from './errors.ts';
import { fromNative, parseJson, toNative } from './json.ts';
import { ARR, B, BY, D, I, JA, JO, MAP, NUL, S, TS, WF, show } from './test-values.ts';

test('parseJson keeps big integers exact and refuses bad or too deep input', () => {
  assert.deepEqual(parseJson('{"a":[1,2.5,"x",null,true]}', 10), { a: [1, 2.5, 'x', null, true] });
  assert.equal(parseJson('9223372036854775807', 10), 9223372036854775807n);
  assert.equal(parseJson('99999999999999999999', 10), 1e20);
  const o = parseJson('{"__proto__":1}', 10) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.equal(Object.hasOwn(o, '__proto__'), true);
  for (const bad of ['', '{', '{"a":1,}', "{'a':1}", '{a:1}', '[1]x', '{"a":1,"a":2}', '01', 'NaN', '"\u0001"']) {
    assert.throws(() => parseJson(bad, 10), VarSubError, bad);
  }
  assert.doesNotThrow(() => parseJson('[[[1]]]', 3));
  assert.throws(() => parseJson('[[[[1]]]]', 3), /nesting deeper/);
  assert.equal(parseJson('"\\u00e9\\n"', 1), 'é\n');
});

test('toNative gives plain JS data', () => {
  assert.equal(toNative(undefined), null);
  assert.equal(toNative(NUL), null);
  assert.equal(toNative(I(5)), 5);
  assert.equal(toNative(I(2n ** 60n)), 2n ** 60n);
  assert.equal(toNative(D(1.5)), 1.5);
  assert.equal(toNative(S('x')), 'x');
  assert.equal(toNative(B(false)), false);
  assert.deepEqual(toNative(JO('{"a":{"b":[1]}}')), { a: { b: [1] } });
  assert.deepEqual(toNative(JA('[1,"2"]')), [1, '2']);
  assert.deepEqual(toNative(BY('hi')), new Uint8Array([104, 105]));
  assert.equal(toNative(WF('c', 'p')), 'p_c');
  assert.equal(toNative(TS(2n, 5_000_000)), 2005);
  assert.deepEqual(toNative(ARR([I(1), S('a')])), [1, 'a']);
  assert.deepEqual(toNative(MAP([[S('k'), I(1)]])), new Map([['k', 1]]));
  assert.throws(() => toNative(JO('{bad')), VarSubError);
});

test('fromNative picks the kind from the JS type', () => {
  const cases: Array<[unknown, string]> = [
    [null, show(NUL)], [undefined, show(NUL)], [3, show(I(3))], [3n, show(I(3))], [2.5, show(D(2.5))], ['s', show(S('s'))],
    [true, show(B(true))], [{ a: 1, b: [2.5, null] }, show(JO('{"a":1,"b":[2.5,null]}'))], [[1, 'x'], show(JA('[1,"x"]'))],
    [new Uint8Array([104, 105]), show(BY('hi'))], [{ s: '<&>' }, show(JO('{"s":"\\u003c\\u0026\\u003e"}'))],
  ];
  for (const [x, want] of cases) assert.equal(show(fromNative(x)), want, String(x));
  assert.throws(() => fromNative(2n ** 63n), VarSubError);
  assert.throws(() => fromNative([Infinity]), VarSubError);
  assert.throws(() => fromNative(() => 1), VarSubError);
});
