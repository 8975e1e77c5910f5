// RunWf: validates the request against the chosen WfSpec, creates the WfRun and advances it as far
// as it goes (the first TASK is queued before the caller hears back). Answers the WfRun.
import { WfRun, type RunWfRequest, type WfSpec } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { latestWfSpec, wfSpecById } from '../metadata-reads.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';
import { problemWithThreadInputs } from '../wf-run/thread-inputs.ts';
import { startWfRun } from '../wf-run/start.ts';

export function runWf(ctx: ProcessorContext, req: RunWfRequest): HandlerResult {
  if (req.wfSpecName === '') throw invalidArgument("Missing required argument 'wf_spec_name'");
  if (req.id === undefined || req.id === '') throw invalidArgument("Missing argument 'id' (ingress assigns one)");
  const wfSpec = findWfSpec(ctx, req);
  if (wfSpec === undefined) throw notFound('Couldn\'t find specified WfSpec');

  const id = req.parentWfRunId === undefined ? { id: req.id } : { id: req.id, parentWfRunId: req.parentWfRunId };
  if (ctx.get(Records.wfRun, keys.wfRunKey(ctx.partition, ctx.tenant, id)) !== undefined) {
    throw alreadyExists(`WfRun with id ${req.id} already exists!`);
  }
  checkParent(ctx, req, wfSpec);
  const entry = wfSpec.threadSpecs[wfSpec.entrypointThreadName];
  if (entry === undefined) throw new Error(`WfSpec ${req.wfSpecName} has no entrypoint ThreadSpec`);
  const problem = problemWithThreadInputs(entry, wfSpec.entrypointThreadName, req.variables, structDefLookupOf(ctx, ctx.tenant));
  if (problem !== undefined) throw invalidArgument(problem);

  const rt = startWfRun(ctx, id, wfSpec, req.variables);
  rt.flush();
  return WfRun.encode(rt.wfRun).finish();
}

/**
 * A WfSpec with parent_wf_spec runs only as a child of a WfRun of that parent WfSpec, and only such
 * a WfSpec may name a parent. The parent lives in this command's group (same root id).
 */
function checkParent(ctx: ProcessorContext, req: RunWfRequest, wfSpec: WfSpec): void {
  const parentSpec = wfSpec.parentWfSpec;
  const parentId = req.parentWfRunId;
  if (parentSpec !== undefined && parentId === undefined) {
    throw invalidArgument(`WfSpec ${req.wfSpecName} requires a parent WfRun ID from WfSpec ${parentSpec.wfSpecName}`);
  }
  if (parentId === undefined) return;
  if (parentSpec === undefined) throw invalidArgument(`WfSpec ${req.wfSpecName} does not refer to a parent WfSpec.`);
  const parent = ctx.get(Records.wfRun, keys.wfRunKey(ctx.partition, ctx.tenant, parentId));
  if (parent === undefined) {
    throw failedPrecondition(`Parent WfRun of type ${parentSpec.wfSpecName} with id ${keys.wfRunIdString(parentId)} not found.`);
  }
  const actual = parent.wfSpecId?.name ?? '';
  if (actual !== parentSpec.wfSpecName) {
    throw invalidArgument(`Parent WfRun is of incorrect type ${actual} but should be ${parentSpec.wfSpecName}`);
  }
}

function findWfSpec(ctx: ProcessorContext, req: RunWfRequest): WfSpec | undefined {
  if (req.majorVersion !== undefined && req.revision !== undefined) {
    return wfSpecById(ctx, ctx.tenant, { name: req.wfSpecName, majorVersion: req.majorVersion, revision: req.revision });
  }
  return latestWfSpec(ctx, ctx.tenant, req.wfSpecName, req.majorVersion);
}
