import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun, Variable, VariableValue } from '@filly/proto';
import { maskTaskRun, maskVariable } from './masking.ts';

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const person = (ssnMasked: boolean): VariableValue => ({
  value: { $case: 'struct', value: { structDefId: { name: 'person', version: 0 }, struct: { fields: {
    name: { value: str('Ada'), masked: false },
    ssn: { value: str('123-45'), masked: ssnMasked },
  } } } },
});

function fieldText(v: VariableValue | undefined, name: string): string | undefined {
  const f = v?.value?.$case === 'struct' ? v.value.value.struct?.fields[name]?.value?.value : undefined;
  return f?.$case === 'str' ? f.value : undefined;
}

test('masked struct fields read as ***** and the stored value is untouched', () => {
  const stored: Variable = { id: { name: 'p', threadRunNumber: 0 }, value: person(true), masked: false };
  const shown = maskVariable(stored);
  assert.equal(fieldText(shown.value, 'ssn'), '*****');
  assert.equal(fieldText(shown.value, 'name'), 'Ada');
  assert.equal(fieldText(stored.value, 'ssn'), '123-45');
  const plain: Variable = { ...stored, value: person(false) };
  assert.equal(maskVariable(plain), plain);
});

test('a masked variable is masked whole; struct fields inside task inputs and outputs are masked', () => {
  const whole = maskVariable({ id: { name: 'p', threadRunNumber: 0 }, value: str('secret'), masked: true });
  assert.deepEqual(whole.value, str('*****'));
  const run = maskTaskRun({
    inputVariables: [{ varName: 'p', value: person(true), masked: false }],
    attempts: [{ result: { $case: 'output', value: person(true) }, maskedValue: false }],
  } as unknown as TaskRun);
  assert.equal(fieldText(run.inputVariables[0]?.value, 'ssn'), '*****');
  const out = run.attempts[0]?.result;
  assert.equal(fieldText(out?.$case === 'output' ? out.value : undefined, 'ssn'), '*****');
});
