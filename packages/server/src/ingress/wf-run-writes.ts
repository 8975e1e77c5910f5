// Writes on a WfRun: run, stop, resume, delete, and external events posted to it.
// (LittleHorse has no public DeleteExternalEvent rpc; the command exists for retention.)
import { randomUUID } from 'node:crypto';
import {
  Empty,
  ExternalEvent,
  type WfRun,
  type DeleteWfRunRequest,
  type PutExternalEventRequest,
  type ResumeWfRunRequest,
  type RunWfRequest,
  type StopWfRunRequest,
} from '@filly/proto';
import { invalidArgument } from '../processor/api-error.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { submitEncoded, submitFor } from './submit.ts';
import { requireLhName, requireNonNegative, requirePresent, requireWfRunId } from './validate.ts';

/** A generated WfRun id, like upstream's: a UUID without dashes. */
const newWfRunId = (): string => randomUUID().replace(/-/g, '');

export function runWf(deps: IngressDeps, ctx: CallContext, req: RunWfRequest): Promise<WfRun> {
  requireLhName(req.wfSpecName, 'wf_spec_name');
  if (req.id !== undefined && req.id !== '') {
    try {
      requireLhName(req.id, 'id');
    } catch {
      throw invalidArgument("Optional argument 'id' must be a valid hostname: letters, digits and '-', starting and ending with a letter or digit.");
    }
  }
  if (req.parentWfRunId) requireWfRunId(req.parentWfRunId, 'parent_wf_run_id');
  if (req.majorVersion !== undefined && req.majorVersion < 0) throw invalidArgument("'major_version' must not be negative.");
  if (req.revision !== undefined && req.revision < 0) throw invalidArgument("'revision' must not be negative.");
  if (req.revision !== undefined && req.majorVersion === undefined) throw invalidArgument("'revision' needs 'major_version'.");
  const generated = !req.id;
  const withId: RunWfRequest = { ...req, id: generated ? newWfRunId() : req.id };
  return submitEncoded<WfRun>(deps, ctx, { $case: 'runWf', value: withId }, generated && !req.parentWfRunId);
}

export function stopWfRun(deps: IngressDeps, ctx: CallContext, req: StopWfRunRequest): Promise<Empty> {
  requireWfRunId(req.wfRunId, 'wf_run_id');
  requireNonNegative(req.threadRunNumber, 'thread_run_number');
  return submitFor(deps, ctx, { $case: 'stopWfRun', value: req }, Empty.decode);
}

export function resumeWfRun(deps: IngressDeps, ctx: CallContext, req: ResumeWfRunRequest): Promise<Empty> {
  requireWfRunId(req.wfRunId, 'wf_run_id');
  requireNonNegative(req.threadRunNumber, 'thread_run_number');
  return submitFor(deps, ctx, { $case: 'resumeWfRun', value: req }, Empty.decode);
}

export function deleteWfRun(deps: IngressDeps, ctx: CallContext, req: DeleteWfRunRequest): Promise<Empty> {
  requireWfRunId(req.id, 'id');
  return submitFor(deps, ctx, { $case: 'deleteWfRun', value: req }, Empty.decode);
}

export function putExternalEvent(deps: IngressDeps, ctx: CallContext, req: PutExternalEventRequest): Promise<ExternalEvent> {
  requireWfRunId(req.wfRunId, 'wf_run_id');
  requireLhName(requirePresent(req.externalEventDefId, 'external_event_def_id').name, 'external_event_def_id.name');
  if (req.guid !== undefined && req.guid.length > 256) throw invalidArgument("'guid' must be at most 256 characters.");
  if (req.threadRunNumber !== undefined) requireNonNegative(req.threadRunNumber, 'thread_run_number');
  if (req.nodeRunPosition !== undefined) requireNonNegative(req.nodeRunPosition, 'node_run_position');
  const withGuid: PutExternalEventRequest = { ...req, guid: req.guid ? req.guid : newWfRunId() };
  return submitFor(deps, ctx, { $case: 'putExternalEvent', value: withGuid }, ExternalEvent.decode);
}
