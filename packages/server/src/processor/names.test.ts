import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, Code } from './api-error.ts';
import { isValidInnerName, isValidName, requireValidName } from './names.ts';

test('metadata names follow the hostname-like rule', () => {
  for (const ok of ['a', 'A9', 'my-task', 'x-1-y', '0abc']) assert.equal(isValidName(ok), true, ok);
  for (const bad of ['', '-a', 'a-', 'a_b', 'a.b', 'a b', 'a/b', 'é', 'x'.repeat(257)]) assert.equal(isValidName(bad), false, bad);
});

test('requireValidName names the field in an INVALID_ARGUMENT', () => {
  assert.throws(
    () => requireValidName('a_b', 'TaskDef name'),
    (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT && e.message.startsWith("TaskDef name 'a_b'"),
  );
  requireValidName('ok-name', 'TaskDef name');
});

test('inner names (variables, nodes, threads) allow underscores and camelCase but no whitespace', () => {
  for (const ok of ['my_var', 'camelCase', '1-greet-TASK', 'INPUT']) assert.equal(isValidInnerName(ok), true, ok);
  for (const bad of ['', 'a b', 'tab\there', 'nl\n']) assert.equal(isValidInnerName(bad), false, JSON.stringify(bad));
});
