// Masked values never leave the server through a read: they are replaced by "*****" as upstream
// does. A masked variable, task input or output is masked whole; inside any value, a STRUCT
// field whose StructDef marks it masked is masked wherever it appears. Stored records keep the
// real value, which only task workers receive.
import type { ExternalEvent, TaskAttempt, TaskRun, Variable, VariableValue } from '@filly/proto';

export const MASK_TEXT = '*****';
const MASK: VariableValue = { value: { $case: 'str', value: MASK_TEXT } };

/** Values nest; a value deeper than this is masked whole rather than walked. */
const MAX_MASK_DEPTH = 64;

/** Does the value hold a masked STRUCT field anywhere? (Most values do not: they are returned as is.) */
function hasMaskedField(v: VariableValue | undefined, depth: number): boolean {
  const val = v?.value;
  if (val === undefined || depth > MAX_MASK_DEPTH) return depth > MAX_MASK_DEPTH;
  switch (val.$case) {
    case 'struct':
      return Object.values(val.value.struct?.fields ?? {}).some((f) => f.masked || hasMaskedField(f.value, depth + 1));
    case 'array':
      return val.value.items.some((i) => hasMaskedField(i, depth + 1));
    case 'map':
      return val.value.entries.some((e) => hasMaskedField(e.key, depth + 1) || hasMaskedField(e.value, depth + 1));
    default:
      return false;
  }
}

function maskFields(v: VariableValue, depth: number): VariableValue {
  const val = v.value;
  if (depth > MAX_MASK_DEPTH) return MASK;
  switch (val?.$case) {
    case 'struct': {
      const inner = val.value.struct;
      if (inner === undefined) return v;
      const fields: typeof inner.fields = {};
      for (const [name, f] of Object.entries(inner.fields)) {
        fields[name] = f.masked ? { ...f, value: MASK } : { ...f, value: f.value === undefined ? undefined : maskFields(f.value, depth + 1) };
      }
      return { value: { $case: 'struct', value: { ...val.value, struct: { fields } } } };
    }
    case 'array':
      return { value: { $case: 'array', value: { ...val.value, items: val.value.items.map((i) => maskFields(i, depth + 1)) } } };
    case 'map':
      return {
        value: {
          $case: 'map',
          value: {
            ...val.value,
            entries: val.value.entries.map((e) => ({
              key: e.key === undefined ? undefined : maskFields(e.key, depth + 1),
              value: e.value === undefined ? undefined : maskFields(e.value, depth + 1),
            })),
          },
        },
      };
    default:
      return v;
  }
}

/** The value as a read shows it: masked STRUCT fields replaced, everything else unchanged. */
export function maskValue(v: VariableValue | undefined): VariableValue | undefined {
  if (v === undefined || !hasMaskedField(v, 0)) return v;
  return maskFields(v, 0);
}

export function maskVariable(v: Variable): Variable {
  if (v.masked) return { ...v, value: MASK };
  const value = maskValue(v.value);
  return value === v.value ? v : { ...v, value };
}

function maskAttempt(a: TaskAttempt): TaskAttempt {
  if (a.result?.$case !== 'output') return a;
  if (a.maskedValue) return { ...a, result: { $case: 'output', value: MASK } };
  const value = maskValue(a.result.value);
  return value === a.result.value || value === undefined ? a : { ...a, result: { $case: 'output', value } };
}

export function maskTaskRun(t: TaskRun): TaskRun {
  return {
    ...t,
    inputVariables: t.inputVariables.map((i) => (i.masked ? { ...i, value: MASK } : { ...i, value: maskValue(i.value) })),
    attempts: t.attempts.map(maskAttempt),
  };
}

export function maskExternalEvent(e: ExternalEvent): ExternalEvent {
  const content = maskValue(e.content);
  return content === e.content ? e : { ...e, content };
}
