// DeleteWorkflowMigrationPlan. (Upstream answers UNIMPLEMENTED; Filly removes the plan.) A WfRun
// that was migrated by it keeps its new version.
import { Empty, type DeleteWorkflowMigrationPlanRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';

export function deleteWorkflowMigrationPlan(ctx: ProcessorContext, req: DeleteWorkflowMigrationPlanRequest): HandlerResult {
  const name = req.id?.name;
  if (name === undefined || name === '') throw invalidArgument('Missing id');
  const key = keys.workflowMigrationPlanKey(ctx.tenant, name);
  if (ctx.get(Records.workflowMigrationPlan, key) === undefined) throw notFound(`Couldn't find WorkflowMigrationPlan ${name}`);
  ctx.delete(key);
  return Empty.encode({}).finish();
}
