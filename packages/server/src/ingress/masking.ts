// Masked values never leave the server through a read: they are replaced by "*****" as upstream
// does. Stored records keep the real value, which only task workers receive.
import type { TaskRun, Variable, VariableValue } from '@filly/proto';

const MASK: VariableValue = { value: { $case: 'str', value: '*****' } };

export function maskVariable(v: Variable): Variable {
  return v.masked ? { ...v, value: MASK } : v;
}

export function maskTaskRun(t: TaskRun): TaskRun {
  const needs = t.inputVariables.some((i) => i.masked) || t.attempts.some((a) => a.maskedValue);
  if (!needs) return t;
  return {
    ...t,
    inputVariables: t.inputVariables.map((i) => (i.masked ? { ...i, value: MASK } : i)),
    attempts: t.attempts.map((a) => (a.maskedValue && a.result?.$case === 'output' ? { ...a, result: { $case: 'output', value: MASK } } : a)),
  };
}
