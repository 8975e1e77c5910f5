// How one thread migrates (when it does is lazy-migration.ts): a thread waiting at a node first
// halts that NodeRun (it stays on the old version, HALTED); the thread then takes the new
// ThreadSpec and WfSpec version (the entrypoint thread takes the WfRun along: the WfRun's
// wf_spec_id changes and the old version goes to old_wf_spec_versions), gets the new ThreadSpec's
// missing variables (defaults, else NULL) and the caller's migration variables for the new
// ThreadSpec, and arrives at the mapped node.
import { ThreadType, WfRunVariableAccessLevel, type Failure, type ThreadRun, type Variable, type WfSpecId } from '@filly/proto';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { VarSubError } from '../values/errors.ts';
import { isMasked } from '../values/types.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { nodeRunMaybeHalt } from '../wf-run/halt.ts';
import { activateNode } from '../wf-run/thread-advance.ts';
import { failWithoutGrace, respondToNodeFailure } from '../wf-run/failure-handling.ts';
import { ErrorName, NodeFailure, newFailure, statusOfFailure } from '../wf-run/failures.ts';
import { assign } from '../wf-run/assign.ts';
import { cloneValue, NULL_VALUE, writeVariable } from '../wf-run/variables.ts';
import { tsFromMs } from '../wf-run/time.ts';

export interface ThreadMove {
  newSpecId: WfSpecId;
  newThreadName: string;
  newNodeName: string;
  /** The thread waits at its current NodeRun, which halts before the move. */
  waiting: boolean;
}

export function migrateThread(rt: RunRuntime, thread: ThreadRun, move: ThreadMove): void {
  if (move.waiting) nodeRunMaybeHalt(rt, thread, rt.currentNodeRun(thread));
  const wfRun = rt.wfRun;
  if (thread.number === 0 || thread.type === ThreadType.ENTRYPOINT) {
    if (wfRun.wfSpecId !== undefined) wfRun.oldWfSpecVersions.push(wfRun.wfSpecId);
    wfRun.wfSpecId = move.newSpecId;
  }
  thread.threadSpecName = move.newThreadName;
  thread.wfSpecId = move.newSpecId;
  try {
    createMissingVariables(rt, thread);
    applyMigrationVariables(rt, thread);
  } catch (err) {
    if (!(err instanceof NodeFailure)) throw err;
    // The thread's current NodeRun belongs to the old version and has no handlers to consult:
    // the failure is recorded there and fails the thread.
    failOnOldNodeRun(rt, thread, err.failure);
    return;
  }
  try {
    activateNode(rt, thread, move.newNodeName);
  } catch (err) {
    if (!(err instanceof NodeFailure)) throw err;
    respondToNodeFailure(rt, thread, err.failure);
  }
}

function failOnOldNodeRun(rt: RunRuntime, thread: ThreadRun, failure: Failure): void {
  const nodeRun = rt.currentNodeRun(thread);
  nodeRun.failures.push(failure);
  nodeRun.status = statusOfFailure(failure);
  nodeRun.errorMessage = failure.message;
  failWithoutGrace(rt, thread, failure);
}

function createMissingVariables(rt: RunRuntime, thread: ThreadRun): void {
  for (const tvd of rt.threadSpec(thread).variableDefs) {
    const def = tvd.varDef;
    if (def === undefined || tvd.accessLevel === WfRunVariableAccessLevel.INHERITED_VAR) continue;
    const id = { wfRunId: rt.wfRunId, threadRunNumber: thread.number, name: def.name };
    const key = keys.variableKey(rt.ctx.partition, rt.ctx.tenant, id);
    if (rt.get(Records.variable, key) !== undefined) continue;
    const variable: Variable = {
      id,
      value: cloneValue(def.defaultValue ?? NULL_VALUE),
      createdAt: tsFromMs(rt.nowMs),
      wfSpecId: thread.wfSpecId,
      masked: isMasked(def),
    };
    rt.put(Records.variable, key, variable);
  }
}

function applyMigrationVariables(rt: RunRuntime, thread: ThreadRun): void {
  const vars = rt.wfRun.migrationVariables[thread.threadSpecName]?.varAssignmentByVarName ?? {};
  for (const name of Object.keys(vars).sort()) {
    const assn = vars[name];
    if (assn === undefined) continue;
    try {
      writeVariable(rt, thread, name, assign(rt, thread, assn));
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed applying migration variable '${name}': ${err.message}`));
    }
  }
}
