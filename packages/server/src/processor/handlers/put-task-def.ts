// PutTaskDef: TaskDefs are immutable. Re-registering the same definition returns the stored one
// (workers do this at every start); a different definition under the same name is refused.
import { TaskDef } from '@filly/proto';
import type { PutTaskDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { alreadyExists } from '../api-error.ts';
import { requireValidName } from '../names.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { canonicalJson } from '../wf-spec/canonical.ts';
import { timestampOfMs } from '../wf-spec/timestamps.ts';
import { checkReturnType, checkVariableDefList } from '../wf-spec/var-defs.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';

export function putTaskDef(ctx: ProcessorContext, req: PutTaskDefRequest): HandlerResult {
  requireValidName(req.name, 'TaskDef name');
  const where = `TaskDef '${req.name}'`;
  const taskDef: TaskDef = {
    id: { name: req.name },
    inputVars: checkVariableDefList(req.inputVars, `${where} input`, structDefLookupOf(ctx, ctx.tenant)),
    createdAt: timestampOfMs(ctx.nowMs),
  };
  if (req.returnType !== undefined) {
    taskDef.returnType = checkReturnType(req.returnType, `${where} return type`, structDefLookupOf(ctx, ctx.tenant));
  }
  if (req.description !== undefined) taskDef.description = req.description;

  const key = keys.taskDefKey(ctx.tenant, req.name);
  const existing = ctx.get(Records.taskDef, key);
  if (existing !== undefined) {
    if (sameTaskDef(existing, taskDef)) return TaskDef.encode(existing).finish();
    throw alreadyExists(`${where} already exists with a different definition; TaskDefs cannot be changed.`);
  }
  ctx.put(Records.taskDef, key, taskDef);
  return TaskDef.encode(taskDef).finish();
}

/** Same definition: everything but created_at. */
export function sameTaskDef(a: TaskDef, b: TaskDef): boolean {
  const strip = (t: TaskDef): string => canonicalJson(TaskDef.toJSON({ ...t, createdAt: undefined }));
  return strip(a) === strip(b);
}
