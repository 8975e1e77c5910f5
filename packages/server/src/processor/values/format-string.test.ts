import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VariableValue } from '@filly/proto';
import { VarSubError } from './errors.ts';
import { formatString, javaNumberFormat } from './format-string.ts';
import { B, D, I, JO, NUL, S, WF } from './test-values.ts';

test('numbers format like en_US NumberFormat (values checked against OpenJDK 17 MessageFormat)', () => {
  const cases: Array<[bigint | number, string]> = [
    [1234567n, '1,234,567'], [3.14159, '3.142'], [2.5, '2.5'], [1, '1'], [0.0005, '0'], [0.0625, '0.062'], [-0, '-0'],
    [NaN, 'NaN'], [Infinity, '\u221e'], [1e20, '100,000,000,000,000,000,000'], [-1234.5, '-1,234.5'],
    [-(2n ** 63n), '-9,223,372,036,854,775,808'], [0.1 + 0.2, '0.3'], [1e-7, '0'], [999.9999, '1,000'], [0n, '0'],
  ];
  for (const [x, want] of cases) assert.equal(javaNumberFormat(x), want, String(x));
  assert.equal(javaNumberFormat(1234.56, true), '1,235');
});

test('formatString substitutes, quotes and keeps unknown indexes like MessageFormat', () => {
  const a = S('a');
  const b = S('b');
  const cases: Array<[string, Array<VariableValue | undefined>, string]> = [
    ["It's {0} and '{1}' and ''{0}'' {5}", [a, b], "Its {0} and b and '{0}' {5}"],
    ['dynamic-create-cluster-{0}', [S('x')], 'dynamic-create-cluster-x'],
    ['{0}-{1}-{2}-{3}-{4}', [I(1234), D(0.5), B(true), NUL, WF('c', 'p')], '1,234-0.5-true-null-p_c'],
    ['{0}', [JO('{"a":1}')], '{a=1}'],
    ['a}b {0}', [I(1)], 'a}b 1'],
    ['{0,number,integer}|{0, number }', [D(1234.56)], '1,235|1,234.56'],
    ['no args', [], 'no args'],
    ['{1}{0}', [a, b], 'ba'],
  ];
  for (const [f, args, want] of cases) assert.equal(formatString(f, args), want, f);
  for (const bad of ['{a}', '{0', '{ 0 }', '{}', '{-1}', '{0,date}']) {
    assert.throws(() => formatString(bad, [I(1)]), VarSubError, bad);
  }
  assert.throws(() => formatString('{0,number}', [S('x')]), VarSubError);
});
