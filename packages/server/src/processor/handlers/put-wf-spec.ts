// PutWfSpec: validate, then version against the latest stored spec of that name.
import { WfSpec } from '@filly/proto';
import type { PutWfSpecRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { externalEventDefByName, latestWfSpec, taskDefByName } from '../metadata-reads.ts';
import { buildCandidateWfSpec } from '../wf-spec/build-wf-spec.ts';
import { validateWfSpecRequest } from '../wf-spec/validate-wf-spec.ts';
import { decideVersion } from '../wf-spec/versioning.ts';
import { putWfSpecVersion } from '../wf-spec/wf-spec-records.ts';
import { checkWfSpecFamily } from '../wf-spec/child-wf-checks.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { findUserTaskDef } from '../user-tasks/user-task-defs.ts';
import { pinUserTaskDefVersions } from '../user-tasks/user-task-node-checks.ts';

export function putWfSpec(ctx: ProcessorContext, req: PutWfSpecRequest): HandlerResult {
  validateWfSpecRequest(
    req,
    {
      taskDef: (name) => taskDefByName(ctx, ctx.tenant, name),
      externalEventDef: (name) => externalEventDefByName(ctx, ctx.tenant, name),
      structDef: structDefLookupOf(ctx, ctx.tenant),
      userTaskDef: (name, version) => findUserTaskDef(ctx, ctx.tenant, name, version),
      workflowEventDefExists: (name) => ctx.get(Records.workflowEventDef, keys.workflowEventDefKey(ctx.tenant, name)) !== undefined,
    },
    ctx.limits,
  );
  const candidate = buildCandidateWfSpec(req, ctx.nowMs);
  pinUserTaskDefVersions(candidate, (name, version) => findUserTaskDef(ctx, ctx.tenant, name, version));
  checkWfSpecFamily(ctx, ctx.tenant, req, candidate);
  const decision = decideVersion(candidate, latestWfSpec(ctx, ctx.tenant, req.name), req.allowedUpdates);
  if (decision.kind === 'unchanged') return WfSpec.encode(decision.existing).finish();
  putWfSpecVersion(ctx, ctx.tenant, decision.spec);
  return WfSpec.encode(decision.spec).finish();
}
