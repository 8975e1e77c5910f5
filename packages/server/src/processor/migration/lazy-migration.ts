// When threads migrate. ApplyWorkflowMigrationPlan only stamps the plan on the WfRun; from then on
// every advance gives each thread on the plan's old WfSpec version, whose ThreadSpec the plan
// maps, two chances to move (upstream's behaviour, proposal 022):
//   - waiting: the thread waits at a long-running node (EXTERNAL_EVENT, USER_TASK, SLEEP,
//     WAIT_FOR_CONDITION, WAIT_FOR_THREADS) that the plan maps; the NodeRun halts and the thread
//     arrives at the mapped node of the new version;
//   - arriving: the thread leaves a node for one that the plan maps; it arrives at the mapped
//     node of the new version instead.
// A thread also waits for its plan's thread_spec_dependencies: each must name a thread already on
// the new version. The plan stays on the WfRun until no live thread runs the old version, then it
// and the migration variables are cleared. Until then another ApplyWorkflowMigrationPlan is refused.
import type { ThreadRun, WfSpecId, WorkflowMigrationPlan } from '@filly/proto';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { wfSpecById } from '../metadata-reads.ts';
import { isTerminated } from '../wf-run/thread-status.ts';
import { migrateThread } from './migrate-wf-run.ts';

/** Node types a thread may be moved away from while it waits there (upstream's "long running"). */
const LONG_RUNNING = new Set(['externalEvent', 'userTask', 'waitForCondition', 'waitForThreads', 'sleep']);

export function sameSpecId(a: WfSpecId | undefined, b: WfSpecId | undefined): boolean {
  return a !== undefined && b !== undefined && a.name === b.name && a.majorVersion === b.majorVersion && a.revision === b.revision;
}

export function destinationOf(plan: WorkflowMigrationPlan): WfSpecId {
  return { name: plan.oldWfSpec?.name ?? '', majorVersion: plan.majorVersion, revision: plan.revision };
}

function activePlan(rt: RunRuntime): WorkflowMigrationPlan | undefined {
  const name = rt.wfRun.workflowMigrationPlanId?.name;
  if (name === undefined || name === '') return undefined;
  return rt.ctx.get(Records.workflowMigrationPlan, keys.workflowMigrationPlanKey(rt.ctx.tenant, name));
}

/**
 * Migrates `thread` if the WfRun carries a plan that maps its current node (`waiting`: the
 * thread waits at `nodeName`) or the node it is about to arrive at (`nodeName`, not waiting).
 * True when the thread moved (it is then at a node of the new version, or failed trying).
 */
export function maybeMigrate(rt: RunRuntime, thread: ThreadRun, nodeName: string, waiting: boolean): boolean {
  if (rt.wfRun.workflowMigrationPlanId === undefined) return false;
  const plan = activePlan(rt);
  if (plan === undefined || !sameSpecId(thread.wfSpecId, plan.oldWfSpec)) return false;
  const threadPlan = plan.threadMigrations[thread.threadSpecName];
  const target = threadPlan?.nodeMigrations[nodeName]?.newNodeName;
  if (threadPlan === undefined || target === undefined) return false;
  if (waiting && !LONG_RUNNING.has(rt.node(thread, nodeName).node?.$case ?? '')) return false;
  const newId = destinationOf(plan);
  if (!dependenciesMigrated(rt, threadPlan.threadSpecDependencies, newId)) return false;
  const newSpec = wfSpecById(rt.ctx, rt.ctx.tenant, newId);
  // A destination deleted after the plan was applied: the thread stays where it is.
  if (newSpec?.threadSpecs[threadPlan.newThreadName]?.nodes[target] === undefined) return false;
  migrateThread(rt, thread, { newSpecId: newId, newThreadName: threadPlan.newThreadName, newNodeName: target, waiting });
  return true;
}

/** Each dependency is a destination ThreadSpec some thread already runs on the new version. */
function dependenciesMigrated(rt: RunRuntime, deps: readonly string[], newId: WfSpecId): boolean {
  for (const dep of deps) {
    const onNew = (t: ThreadRun): boolean => t.threadSpecName === dep && sameSpecId(t.wfSpecId, newId);
    if (rt.wfRun.threadRuns.some(onNew)) continue;
    const archived = rt.ctx.scan(Records.inactiveThreadRun, keys.inactiveThreadRunPrefix(rt.ctx.partition, rt.ctx.tenant, rt.wfRunId));
    if (!archived.some(({ value }) => value.threadRun !== undefined && onNew(value.threadRun))) return false;
  }
  return true;
}

/** Clears the plan once no live thread runs the old version (archived threads are finished). */
export function maybeFinishMigration(rt: RunRuntime): void {
  if (rt.wfRun.workflowMigrationPlanId === undefined) return;
  const plan = activePlan(rt);
  // A deleted plan (upstream cannot delete one) can move nothing more: clear it as well, so the
  // WfRun may take another plan.
  const stillOld = plan !== undefined && rt.wfRun.threadRuns.some((t) => !isTerminated(t) && sameSpecId(t.wfSpecId, plan.oldWfSpec));
  if (stillOld) return;
  rt.wfRun.workflowMigrationPlanId = undefined;
  rt.wfRun.migrationVariables = {};
}
