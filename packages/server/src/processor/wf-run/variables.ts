// Variables: one stored Variable per (ThreadRun, name). A thread sees its own variables and then
// its ancestors'; writes land on the nearest thread whose ThreadSpec declares the name. A child
// WfRun's INHERITED_VAR lives in its parent WfRun (the entrypoint thread there, or further up when
// the parent inherits it too); the whole family shares one group, so those reads stay local.
import { WfRunVariableAccessLevel, type ThreadRun, type ThreadSpec, type Variable, type VariableValue, type WfRunId } from '@filly/proto';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { VarSubError } from '../values/errors.ts';
import { isMasked } from '../values/types.ts';
import type { RunRuntime } from './runtime.ts';
import { tsFromMs } from './time.ts';

/** The NULL value: a VariableValue with no member of its oneof set. */
export const NULL_VALUE: VariableValue = Object.freeze({ value: undefined }) as VariableValue;

export function isNull(v: VariableValue | undefined): boolean {
  return v === undefined || v.value === undefined;
}

function variableKey(rt: RunRuntime, threadNumber: number, name: string): string {
  return keys.variableKey(rt.ctx.partition, rt.ctx.tenant, { wfRunId: rt.wfRunId, threadRunNumber: threadNumber, name });
}

/**
 * Creates the thread's declared variables from validated inputs: an input that is absent or NULL
 * takes the declared default, else NULL. Inherited variables live in the parent WfRun.
 */
export function createThreadVariables(
  rt: RunRuntime,
  thread: ThreadRun,
  spec: ThreadSpec,
  inputs: Readonly<Record<string, VariableValue>>,
): void {
  for (const threadVarDef of spec.variableDefs) {
    const def = threadVarDef.varDef;
    if (def === undefined) continue;
    if (threadVarDef.accessLevel === WfRunVariableAccessLevel.INHERITED_VAR) continue;
    const given = Object.hasOwn(inputs, def.name) ? inputs[def.name] : undefined;
    const value = given !== undefined && !isNull(given) ? given : (def.defaultValue ?? NULL_VALUE);
    const variable: Variable = {
      id: { wfRunId: rt.wfRunId, threadRunNumber: thread.number, name: def.name },
      value: cloneValue(value),
      createdAt: tsFromMs(rt.nowMs),
      wfSpecId: thread.wfSpecId,
      masked: isMasked(def),
    };
    rt.put(Records.variable, variableKey(rt, thread.number, def.name), variable);
  }
}

function parentOf(rt: RunRuntime, thread: ThreadRun): ThreadRun | undefined {
  return thread.parentThreadId === undefined ? undefined : rt.thread(thread.parentThreadId);
}

/** The Variable a thread sees under `name`, searching its ancestors; undefined when out of scope. */
export function findVariable(rt: RunRuntime, thread: ThreadRun, name: string): Variable | undefined {
  let cur: ThreadRun | undefined = thread;
  // Bounded by the number of threads: parent links never form a cycle, but do not trust that.
  for (let hops = 0; cur !== undefined && hops <= rt.wfRun.greatestThreadrunNumber; hops++) {
    const found = rt.get(Records.variable, variableKey(rt, cur.number, name));
    if (found !== undefined) return found;
    cur = parentOf(rt, cur);
  }
  return findInherited(rt, name)?.variable;
}

/**
 * A runtime of a parent WfRun that is mid-command while its child runs (a RUN_CHILD_WF starting
 * the child): inherited variables are then read and written through the parent's cache, so the
 * parent neither reads stale values nor overwrites the child's writes when it flushes.
 */
const activeParents = new WeakMap<RunRuntime, RunRuntime>();

export function linkParentRuntime(child: RunRuntime, parent: RunRuntime): void {
  activeParents.set(child, parent);
}

/** Deepest WfRun nesting walked when resolving an inherited variable. */
const MAX_INHERITANCE_DEPTH = 16;

/** Where an INHERITED_VAR of this WfRun is stored: the nearest ancestor WfRun's entrypoint thread. */
function findInherited(rt: RunRuntime, name: string): { variable: Variable; key: string; owner: RunRuntime } | undefined {
  if (!declaresInherited(rt, name)) return undefined;
  let ancestor: WfRunId | undefined = rt.wfRunId.parentWfRunId;
  const owner = activeParents.get(rt) ?? rt;
  for (let depth = 0; ancestor !== undefined && depth < MAX_INHERITANCE_DEPTH; depth++) {
    const key = keys.variableKey(rt.ctx.partition, rt.ctx.tenant, { wfRunId: ancestor, threadRunNumber: 0, name });
    const variable = owner.get(Records.variable, key);
    if (variable !== undefined) return { variable, key, owner };
    ancestor = ancestor.parentWfRunId;
  }
  return undefined;
}

function declaresInherited(rt: RunRuntime, name: string): boolean {
  if (rt.wfRunId.parentWfRunId === undefined) return false;
  for (const spec of Object.values(rt.wfSpec.threadSpecs)) {
    for (const d of spec.variableDefs) {
      if (d.varDef?.name === name) return d.accessLevel === WfRunVariableAccessLevel.INHERITED_VAR;
    }
  }
  return false;
}

export function readVariable(rt: RunRuntime, thread: ThreadRun, name: string): VariableValue {
  const variable = findVariable(rt, thread, name);
  if (variable === undefined) throw new VarSubError(`Variable ${name} not in scope!`);
  return variable.value ?? NULL_VALUE;
}

/** Stores a new value on the nearest thread whose ThreadSpec declares `name`. */
export function writeVariable(rt: RunRuntime, thread: ThreadRun, name: string, value: VariableValue): void {
  let cur: ThreadRun | undefined = thread;
  for (let hops = 0; cur !== undefined && hops <= rt.wfRun.greatestThreadrunNumber; hops++) {
    const declared = rt.threadSpec(cur).variableDefs.find((d) => d.varDef?.name === name);
    if (declared !== undefined && declared.accessLevel === WfRunVariableAccessLevel.INHERITED_VAR) {
      const inherited = findInherited(rt, name);
      if (inherited === undefined) throw new VarSubError(`Inherited variable ${name} not found in any parent WfRun`);
      inherited.variable.value = value;
      inherited.owner.put(Records.variable, inherited.key, inherited.variable);
      return;
    }
    if (declared !== undefined) {
      const key = variableKey(rt, cur.number, name);
      const variable = rt.get(Records.variable, key);
      if (variable === undefined) throw new VarSubError(`Variable ${name} was never created on thread ${cur.number}`);
      variable.value = value;
      rt.put(Records.variable, key, variable);
      return;
    }
    cur = parentOf(rt, cur);
  }
  throw new VarSubError(`Tried to save out-of-scope var ${name}`);
}

/** The declaration a thread sees for `name` (own ThreadSpec first, then ancestors'). */
export function declaredVarDef(rt: RunRuntime, thread: ThreadRun, name: string) {
  let cur: ThreadRun | undefined = thread;
  for (let hops = 0; cur !== undefined && hops <= rt.wfRun.greatestThreadrunNumber; hops++) {
    const def = rt.threadSpec(cur).variableDefs.find((d) => d.varDef?.name === name)?.varDef;
    if (def !== undefined) return def;
    cur = parentOf(rt, cur);
  }
  return undefined;
}

/** Values are plain data; a copy keeps stored records from sharing mutable parts. */
export function cloneValue(v: VariableValue): VariableValue {
  const inner = v.value;
  // A scalar (string, number, bigint, boolean) is immutable: copying the two wrappers is a full
  // copy, and far cheaper than a structured clone, which most values would otherwise pay for.
  if (inner === undefined) return {};
  if (typeof inner.value !== 'object') return { value: { ...inner } };
  return structuredClone(v);
}
