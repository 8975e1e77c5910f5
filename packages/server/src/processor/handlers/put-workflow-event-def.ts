// PutWorkflowEventDef: registers the def with its content type. Putting the same name again
// returns the stored def when the content type is the same and is refused (ALREADY_EXISTS) when
// it differs: a WorkflowEventDef, unlike an ExternalEventDef, is never overwritten.
import { ReturnType, WorkflowEventDef, type PutWorkflowEventDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { alreadyExists } from '../api-error.ts';
import { requireValidName } from '../names.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { canonicalJson } from '../wf-spec/canonical.ts';
import { timestampOfMs } from '../wf-spec/timestamps.ts';
import { checkReturnType } from '../wf-spec/var-defs.ts';

export function putWorkflowEventDef(ctx: ProcessorContext, req: PutWorkflowEventDefRequest): HandlerResult {
  requireValidName(req.name, 'WorkflowEventDef name');
  // An absent content type is upstream's default ReturnType: an event without content.
  const contentType: ReturnType = req.contentType ?? { returnType: undefined };
  const where = `WorkflowEventDef '${req.name}' content type`;
  checkReturnType(contentType, where);

  const key = keys.workflowEventDefKey(ctx.tenant, req.name);
  const existing = ctx.get(Records.workflowEventDef, key);
  if (existing !== undefined) {
    if (!sameReturnType(existing.contentType, contentType)) {
      throw alreadyExists(`WorkflowEventDef with name ${req.name} already exists with different type!`);
    }
    return WorkflowEventDef.encode(existing).finish();
  }
  const def: WorkflowEventDef = { id: { name: req.name }, createdAt: timestampOfMs(ctx.nowMs), contentType };
  ctx.put(Records.workflowEventDef, key, def);
  return WorkflowEventDef.encode(def).finish();
}

function sameReturnType(a: ReturnType | undefined, b: ReturnType): boolean {
  const canon = (r: ReturnType | undefined): string => canonicalJson(ReturnType.toJSON(r ?? { returnType: undefined }));
  return canon(a) === canon(b);
}
