import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LHPath, VariableValue } from '@filly/proto';
import { VarMutationError, VarSubError } from './errors.ts';
import { applyJsonPath, applyLhPath, setAtJsonPath } from './paths.ts';
import { ARR, B, D, I, JA, JO, MAP, NUL, S, STRUCT, show } from './test-values.ts';

const DOC = JO('{"name":"Ford","n":3,"f":1.0,"nil":null,"tags":["a","b","c"],"owner":{"first":"Obi","ids":[{"k":1}]},"a.b":7}');

test('applyJsonPath reads the Jayway subset; missing paths and JSON null give NULL', () => {
  const cases: Array<[string, VariableValue]> = [
    ['$.name', S('Ford')], ['$.n', I(3)], ['$.f', D(1)], ['$.nil', NUL], ['$.missing', NUL], ['$.missing.deeper', NUL],
    ["$['name']", S('Ford')], ['$["a.b"]', I(7)], ['$.tags[1]', S('b')], ['$.tags[-1]', S('c')], ['$.tags[9]', NUL],
    ['$.owner.first', S('Obi')], ['$.owner.ids[0].k', I(1)], ['$.name.x', NUL], ['$.name[0]', NUL],
    ['$.tags', JA('["a","b","c"]')], ['$.owner.ids[0]', JO('{"k":1}')], ['name', S('Ford')], ['$.tags[*]', JA('["a","b","c"]')],
  ];
  for (const [p, want] of cases) assert.equal(show(applyJsonPath(DOC, p)), show(want), p);
  assert.equal(show(applyJsonPath(JA('[10,[20,30]]'), '$[1][0]')), show(I(20)));
  assert.equal(show(applyJsonPath(JA('[1]'), '$')), show(JA('[1]')));
  for (const bad of ['$..name', '$.tags[?(@.x)]', '$.tags[0:1]', '$.', '$[']) assert.throws(() => applyJsonPath(DOC, bad), VarSubError, bad);
  assert.throws(() => applyJsonPath(S('x'), '$.a'), VarSubError);
  assert.throws(() => applyJsonPath(JO('{bad'), '$.a'), VarSubError);
});

const path = (...sel: Array<string | number>): LHPath => ({
  path: sel.map((s) => ({ selectorType: typeof s === 'string' ? { $case: 'key' as const, value: s } : { $case: 'index' as const, value: s } })),
});

test('applyLhPath walks Struct, Array, Map natively and JSON by path', () => {
  const car = STRUCT('car', {
    make: S('Ford'),
    owner: STRUCT('person', { first: S('Obi') }),
    meta: JO('{"year":1999,"parts":["x","y"]}'),
    wheels: ARR([I(1), I(2)]),
    extras: MAP([[S('color'), S('red')]]),
  });
  const cases: Array<[LHPath, VariableValue]> = [
    [path(), car], [path('make'), S('Ford')], [path('owner', 'first'), S('Obi')], [path('meta', 'year'), I(1999)],
    [path('meta', 'parts', -1), S('y')], [path('meta', 'nope'), NUL], [path('wheels', 1), I(2)], [path('extras', 'color'), S('red')],
    [path('extras', 'size'), NUL],
  ];
  for (const [p, want] of cases) assert.equal(show(applyLhPath(car, p)), show(want), show(p));
  assert.equal(show(applyLhPath(JA('["apple","banana","orange"]'), path(1))), show(S('banana')));
  assert.equal(show(applyLhPath(JA('["apple","banana","orange"]'), path(-1))), show(S('orange')));
  const bad: Array<[VariableValue, LHPath]> = [
    [S('myStr'), path('make')], [car, path('nope')], [car, path('wheels', -1)], [car, path('wheels', 5)], [car, path('wheels', 'x')],
    [car, path(0)], [I(1), path(0)], [B(true), path('x')], [NUL, path('x')],
  ];
  for (const [v, p] of bad) assert.throws(() => applyLhPath(v, p), VarSubError, show(p));
});

test('setAtJsonPath replaces or adds the leaf and refuses impossible targets', () => {
  const doc = JO('{"a":{"b":1},"l":[1,2]}');
  const cases: Array<[string, VariableValue, VariableValue]> = [
    ['$.a.b', I(5), JO('{"a":{"b":5},"l":[1,2]}')],
    ['$.a.c', S('new'), JO('{"a":{"b":1,"c":"new"},"l":[1,2]}')],
    ['$.l[0]', D(1.5), JO('{"a":{"b":1},"l":[1.5,2]}')],
    ['$.l[-1]', NUL, JO('{"a":{"b":1},"l":[1,null]}')],
    ['$.a', JA('[true]'), JO('{"a":[true],"l":[1,2]}')],
    ["$['x y']", B(false), JO('{"a":{"b":1},"l":[1,2],"x y":false}')],
  ];
  for (const [p, nv, want] of cases) assert.equal(show(setAtJsonPath(doc, p, nv)), show(want), p);
  assert.equal(show(setAtJsonPath(JA('[0,1]'), '$[1]', S('z'))), show(JA('[0,"z"]')));
  // The input is not modified.
  assert.equal(show(doc), show(JO('{"a":{"b":1},"l":[1,2]}')));
  for (const p of ['$', '$.missing.x', '$.l[5]', '$.l.x', '$.a[0]', '$.l[*]', '$..b']) {
    assert.throws(() => setAtJsonPath(doc, p, I(1)), VarMutationError, p);
  }
  assert.throws(() => setAtJsonPath(S('x'), '$.a', I(1)), VarMutationError);
});

test('setAtJsonPath on unparsable JSON is a VarMutationError too', () => {
  assert.throws(() => setAtJsonPath(JO('{bad'), '$.a', I(1)), VarMutationError);
});
