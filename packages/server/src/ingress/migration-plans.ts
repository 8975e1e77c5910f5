// Workflow migration: plans are metadata (Put/Get/Delete WorkflowMigrationPlan); applying one
// moves one WfRun and is a command on that WfRun's partition. MigrateWfSpec is checked and then
// refused by the processor, as upstream.
import {
  Empty,
  WfRun,
  WfSpec,
  WorkflowMigrationPlan,
  type ApplyWorkflowMigrationPlanRequest,
  type DeleteWorkflowMigrationPlanRequest,
  type MigrateWfSpecRequest,
  type PutWorkflowMigrationPlanRequest,
  type WorkflowMigrationPlanId,
} from '@filly/proto';
import { Records } from '../processor/records.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { submitFor } from './submit.ts';
import { requireLhName, requirePresent, requireWfRunId } from './validate.ts';

export function putWorkflowMigrationPlan(deps: IngressDeps, ctx: CallContext, req: PutWorkflowMigrationPlanRequest): Promise<WorkflowMigrationPlan> {
  requireLhName(req.name, 'name');
  requireLhName(requirePresent(req.oldWfSpec, 'old_wfSpec').name, 'old_wfSpec.name');
  return submitFor(deps, ctx, { $case: 'putWorkflowMigrationPlan', value: req }, WorkflowMigrationPlan.decode);
}

export function getWorkflowMigrationPlan(deps: IngressDeps, ctx: CallContext, id: WorkflowMigrationPlanId): Promise<WorkflowMigrationPlan> {
  const name = requireLhName(id.name, 'name');
  return mustGet(deps.engine.get(Records.workflowMigrationPlan, keys.workflowMigrationPlanKey(ctx.tenant, name)), `WorkflowMigrationPlan ${name}`);
}

export function deleteWorkflowMigrationPlan(deps: IngressDeps, ctx: CallContext, req: DeleteWorkflowMigrationPlanRequest): Promise<Empty> {
  requireLhName(requirePresent(req.id, 'id').name, 'id.name');
  return submitFor(deps, ctx, { $case: 'deleteWorkflowMigrationPlan', value: req }, Empty.decode);
}

export function migrateWfSpec(deps: IngressDeps, ctx: CallContext, req: MigrateWfSpecRequest): Promise<WfSpec> {
  requireLhName(requirePresent(req.oldWfSpec, 'old_wf_spec').name, 'old_wf_spec.name');
  requirePresent(req.migration, 'migration');
  return submitFor(deps, ctx, { $case: 'migrateWfSpec', value: req }, WfSpec.decode);
}

export function applyWorkflowMigrationPlan(deps: IngressDeps, ctx: CallContext, req: ApplyWorkflowMigrationPlanRequest): Promise<WfRun> {
  requireLhName(requirePresent(req.id, 'id').name, 'id.name');
  requireWfRunId(req.wfRunId, 'wfRun_id');
  return submitFor(deps, ctx, { $case: 'applyWorkflowMigrationPlan', value: req }, WfRun.decode);
}
