// PutWfSpec: validate, then version against the latest stored spec of that name.
import { WfSpec } from '@filly/proto';
import type { PutWfSpecRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { externalEventDefByName, latestWfSpec, taskDefByName } from '../metadata-reads.ts';
import { buildCandidateWfSpec } from '../wf-spec/build-wf-spec.ts';
import { validateWfSpecRequest } from '../wf-spec/validate-wf-spec.ts';
import { decideVersion } from '../wf-spec/versioning.ts';
import { putWfSpecVersion } from '../wf-spec/wf-spec-records.ts';

export function putWfSpec(ctx: ProcessorContext, req: PutWfSpecRequest): HandlerResult {
  validateWfSpecRequest(
    req,
    {
      taskDef: (name) => taskDefByName(ctx, ctx.tenant, name),
      externalEventDef: (name) => externalEventDefByName(ctx, ctx.tenant, name),
    },
    ctx.limits,
  );
  const candidate = buildCandidateWfSpec(req, ctx.nowMs);
  const decision = decideVersion(candidate, latestWfSpec(ctx, ctx.tenant, req.name), req.allowedUpdates);
  if (decision.kind === 'unchanged') return WfSpec.encode(decision.existing).finish();
  putWfSpecVersion(ctx, ctx.tenant, decision.spec);
  return WfSpec.encode(decision.spec).finish();
}
