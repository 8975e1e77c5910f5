// MigrateWfSpec: as upstream, both WfSpec versions must exist, and then the rpc answers
// UNIMPLEMENTED (version-wide migration is unfinished upstream; WorkflowMigrationPlans replace it).
import type { MigrateWfSpecRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { ApiError, Code, invalidArgument, notFound } from '../api-error.ts';
import { wfSpecById } from '../metadata-reads.ts';
import { specIdString } from './put-workflow-migration-plan.ts';

export function migrateWfSpec(ctx: ProcessorContext, req: MigrateWfSpecRequest): HandlerResult {
  const oldId = req.oldWfSpec;
  const migration = req.migration;
  if (oldId === undefined || migration === undefined) throw invalidArgument("Missing 'old_wf_spec' or 'migration'");
  if (wfSpecById(ctx, ctx.tenant, oldId) === undefined) throw notFound(`Migration refers to nonexisting WfSpec ${specIdString(oldId)}`);
  const newId = { name: oldId.name, majorVersion: migration.newMajorVersion, revision: migration.newRevision };
  if (wfSpecById(ctx, ctx.tenant, newId) === undefined) {
    throw notFound(`Migration refers to nonexisting WfSpec ${oldId.name} version ${migration.newMajorVersion}`);
  }
  throw new ApiError(Code.UNIMPLEMENTED, 'WfSpec Version Migration is ongoing');
}
