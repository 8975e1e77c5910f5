// The notify topic a thrown WorkflowEvent is announced on, shared by the THROW_EVENT node (which
// notifies after commit) and AwaitWorkflowEvent at ingress (which listens, then re-reads).
import type { WfRunId, WorkflowEventId } from '@filly/proto';
import { wfRunIdString } from '../store/keys.ts';

export function workflowEventTopic(tenant: string, wfRunId: WfRunId): string {
  return `workflow-event/${tenant}/${wfRunIdString(wfRunId)}`;
}

/** The detail carried with the topic: which event was thrown (listeners re-read state anyway). */
export function workflowEventDetail(id: WorkflowEventId): string {
  return `${id.workflowEventDefId?.name ?? ''}/${id.number}`;
}
