// Moving one running WfRun to the destination version of a WorkflowMigrationPlan. Upstream moves
// each thread lazily, when it next waits at (or is about to enter) a node the plan maps. Filly
// moves the whole WfRun within the ApplyWorkflowMigrationPlan command: every live thread must be
// waiting at a long-running node its thread's plan maps, or the request is refused. Each thread
// then leaves its NodeRun (halted), takes the new ThreadSpec and WfSpec version, gets the new
// ThreadSpec's missing variables (defaults, else NULL) and the caller's migration variables, and
// arrives at the mapped node. The WfRun keeps its old version in old_wf_spec_versions.
import {
  LHStatus,
  WfRunVariableAccessLevel,
  type ThreadRun,
  type Variable,
  type WfSpec,
  type WfSpecId,
  type WorkflowMigrationPlan,
} from '@filly/proto';
import { failedPrecondition } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { VarSubError } from '../values/errors.ts';
import { isMasked } from '../values/types.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { nodeRunMaybeHalt } from '../wf-run/halt.ts';
import { activateNode } from '../wf-run/thread-advance.ts';
import { respondToNodeFailure } from '../wf-run/failure-handling.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { isTerminated } from '../wf-run/thread-status.ts';
import { assign } from '../wf-run/assign.ts';
import { cloneValue, NULL_VALUE, writeVariable } from '../wf-run/variables.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { specIdString } from '../handlers/put-workflow-migration-plan.ts';

/** Node types a thread may be moved away from while it waits there (upstream's "long running"). */
const LONG_RUNNING = new Set(['externalEvent', 'userTask', 'waitForCondition', 'waitForThreads', 'sleep']);

interface Move {
  thread: ThreadRun;
  newThreadName: string;
  newNodeName: string;
}

export function migrateWfRun(rt: RunRuntime, plan: WorkflowMigrationPlan, newSpec: WfSpec): RunRuntime {
  const oldId = plan.oldWfSpec;
  const newId = newSpec.id;
  if (oldId === undefined || newId === undefined) throw new Error('migration plan or WfSpec without id');
  const wfRunName = keys.wfRunIdString(rt.wfRunId);
  if (!sameSpec(rt.wfRun.wfSpecId, oldId)) {
    throw failedPrecondition(
      `WfRun ${wfRunName} runs WfSpec ${specIdString(rt.wfRun.wfSpecId ?? oldId)}, but plan ${plan.workflowMigrationPlanId?.name ?? ''} migrates ${specIdString(oldId)}`,
    );
  }
  const moves = planMoves(rt, plan, wfRunName);

  // With the old ThreadSpecs: stop each thread where it waits.
  for (const move of moves) nodeRunMaybeHalt(rt, move.thread, rt.currentNodeRun(move.thread));
  const wfRun = rt.wfRun;
  wfRun.oldWfSpecVersions.push(oldId);
  wfRun.wfSpecId = newId;
  for (const move of moves) {
    move.thread.threadSpecName = move.newThreadName;
    move.thread.wfSpecId = newId;
  }
  rt.flush();

  // With the new ones: variables, then the mapped nodes.
  const next = new RunRuntime(rt.ctx, wfRun, newSpec, Records.wfRun.encode(wfRun));
  for (const move of moves) {
    const thread = next.thread(move.thread.number);
    if (thread === undefined) throw new Error(`thread ${move.thread.number} vanished during migration`);
    try {
      createMissingVariables(next, thread);
      applyMigrationVariables(next, thread);
      activateNode(next, thread, move.newNodeName);
    } catch (err) {
      if (!(err instanceof NodeFailure)) throw err;
      const current = next.currentNodeRun(thread);
      if (current.failures.length === 0) current.failures.push(err.failure);
      respondToNodeFailure(next, thread, err.failure);
    }
  }
  wfRun.workflowMigrationPlanId = undefined;
  wfRun.migrationVariables = {};
  advanceWfRun(next);
  return next;
}

function sameSpec(a: WfSpecId | undefined, b: WfSpecId): boolean {
  return a !== undefined && a.name === b.name && a.majorVersion === b.majorVersion && a.revision === b.revision;
}

function planMoves(rt: RunRuntime, plan: WorkflowMigrationPlan, wfRunName: string): Move[] {
  const moves: Move[] = [];
  for (const thread of rt.wfRun.threadRuns) {
    if (isTerminated(thread)) continue;
    const threadPlan = plan.threadMigrations[thread.threadSpecName];
    if (threadPlan === undefined) {
      throw failedPrecondition(`WfRun ${wfRunName}: thread ${thread.number} (${thread.threadSpecName}) is running and the plan does not migrate its ThreadSpec`);
    }
    const nodeRun = rt.currentNodeRun(thread);
    const kind = rt.node(thread, nodeRun.nodeName).node?.$case ?? '';
    const target = threadPlan.nodeMigrations[nodeRun.nodeName]?.newNodeName;
    if (target === undefined || !LONG_RUNNING.has(kind) || nodeRun.status === LHStatus.COMPLETED) {
      throw failedPrecondition(
        `WfRun ${wfRunName}: thread ${thread.number} is at node ${nodeRun.nodeName}, which the plan does not map; Filly migrates a WfRun only while every running thread waits at a mapped node`,
      );
    }
    moves.push({ thread, newThreadName: threadPlan.newThreadName, newNodeName: target });
  }
  return moves;
}

function createMissingVariables(rt: RunRuntime, thread: ThreadRun): void {
  for (const tvd of rt.threadSpec(thread).variableDefs) {
    const def = tvd.varDef;
    if (def === undefined || tvd.accessLevel === WfRunVariableAccessLevel.INHERITED_VAR) continue;
    const key = keys.variableKey(rt.ctx.partition, rt.ctx.tenant, { wfRunId: rt.wfRunId, threadRunNumber: thread.number, name: def.name });
    if (rt.get(Records.variable, key) !== undefined) continue;
    const variable: Variable = {
      id: { wfRunId: rt.wfRunId, threadRunNumber: thread.number, name: def.name },
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
