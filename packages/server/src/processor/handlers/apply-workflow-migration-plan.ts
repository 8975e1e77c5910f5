// ApplyWorkflowMigrationPlan: stamps the plan (and the caller's migration variables) on one
// running WfRun and advances it; its threads then migrate lazily, each when it waits at or
// arrives at a node the plan maps (migration/lazy-migration.ts). Preconditions and their errors
// are upstream's, plus one: the WfRun must run the plan's source version (upstream accepts any
// WfRun and silently migrates nothing). Migration variables are checked against the destination
// threads before anything changes.
import { WfRun, type ApplyWorkflowMigrationPlanRequest, type WfSpec, type WorkflowMigrationPlan } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition, invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { wfSpecById } from '../metadata-reads.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { isTerminatedStatus } from '../wf-run/thread-status.ts';
import { LHStatus } from '@filly/proto';
import { literalFits, declaredTypeDef } from '../wf-spec/types.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { sameSpecId } from '../migration/lazy-migration.ts';
import { specIdString } from './put-workflow-migration-plan.ts';

export function applyWorkflowMigrationPlan(ctx: ProcessorContext, req: ApplyWorkflowMigrationPlanRequest): HandlerResult {
  const wfRunId = req.wfRunId;
  const planName = req.id?.name;
  if (wfRunId === undefined || planName === undefined || planName === '') throw invalidArgument("Missing 'id' or 'wfRun_id'");
  const name = keys.wfRunIdString(wfRunId);
  const rt = RunRuntime.load(ctx, wfRunId);
  if (rt === undefined) throw notFound(`Couldn't find WfRun ${name}`);
  if (isTerminatedStatus(rt.wfRun.status)) {
    throw failedPrecondition(`WfRun ${name} has status ${LHStatus[rt.wfRun.status]} and cannot be migrated`);
  }
  if (rt.wfRun.workflowMigrationPlanId !== undefined) throw failedPrecondition(`A migration is already in progress for WfRun ${name}`);
  const plan = ctx.get(Records.workflowMigrationPlan, keys.workflowMigrationPlanKey(ctx.tenant, planName));
  if (plan?.oldWfSpec === undefined) throw notFound(`Couldn't find WorkflowMigrationPlan ${planName}`);
  const newId = { name: plan.oldWfSpec.name, majorVersion: plan.majorVersion, revision: plan.revision };
  const newSpec = wfSpecById(ctx, ctx.tenant, newId);
  if (newSpec === undefined) {
    throw failedPrecondition(`Destination WfSpec ${specIdString(newId)} for migration plan ${planName} no longer exists`);
  }
  checkMigrationVars(req, plan, newSpec, planName);
  if (!sameSpecId(rt.wfRun.wfSpecId, plan.oldWfSpec)) {
    throw failedPrecondition(
      `WfRun ${name} runs WfSpec ${specIdString(rt.wfRun.wfSpecId ?? plan.oldWfSpec)}, but plan ${planName} migrates ${specIdString(plan.oldWfSpec)}`,
    );
  }

  rt.wfRun.workflowMigrationPlanId = { name: planName };
  rt.wfRun.migrationVariables = req.migrationVarsByThread;
  advanceWfRun(rt);
  rt.flush();
  return WfRun.encode(rt.wfRun).finish();
}

function checkMigrationVars(req: ApplyWorkflowMigrationPlanRequest, plan: WorkflowMigrationPlan, newSpec: WfSpec, planName: string): void {
  const destinations = new Set(Object.values(plan.threadMigrations).map((m) => m.newThreadName));
  for (const threadName of Object.keys(req.migrationVarsByThread).sort()) {
    if (!destinations.has(threadName)) {
      throw invalidArgument(`Migration variables provided for thread '${threadName}', which is not a destination thread in migration plan ${planName}`);
    }
    const thread = newSpec.threadSpecs[threadName];
    const vars = req.migrationVarsByThread[threadName]?.varAssignmentByVarName ?? {};
    for (const varName of Object.keys(vars).sort()) {
      const def = thread?.variableDefs.find((d) => d.varDef?.name === varName)?.varDef;
      if (def === undefined) throw invalidArgument(`Migration variable '${varName}' is not in scope of destination thread '${threadName}'`);
      const source = vars[varName]?.source;
      if (source?.$case === 'literalValue' && !literalFits(source.value, declaredTypeDef(def))) {
        throw invalidArgument(`Migration variable '${varName}' on thread '${threadName}' has a value incompatible with its declared type`);
      }
    }
  }
}
