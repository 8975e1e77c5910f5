// The processor's single entry point: one handler per command, chosen by the command's body.
// Handlers live in handlers/, one file each, named after the command they apply.
import { ApiError, Code } from './api-error.ts';
import type { HandlerResult, ProcessorContext } from './context.ts';
import { putTaskDef } from './handlers/put-task-def.ts';
import { deleteTaskDef } from './handlers/delete-task-def.ts';
import { putWfSpec } from './handlers/put-wf-spec.ts';
import { deleteWfSpec } from './handlers/delete-wf-spec.ts';
import { putExternalEventDef } from './handlers/put-external-event-def.ts';
import { deleteExternalEventDef } from './handlers/delete-external-event-def.ts';
import { putStructDef } from './handlers/put-struct-def.ts';
import { deleteStructDef } from './handlers/delete-struct-def.ts';
import { putTenant } from './handlers/put-tenant.ts';
import { putPrincipal } from './handlers/put-principal.ts';
import { deletePrincipal } from './handlers/delete-principal.ts';
import { initializeCluster } from './handlers/initialize-cluster.ts';
import { runWf } from './handlers/run-wf.ts';
import { stopWfRun } from './handlers/stop-wf-run.ts';
import { rescueThreadRun } from './handlers/rescue-thread-run.ts';
import { resumeWfRun } from './handlers/resume-wf-run.ts';
import { deleteWfRun } from './handlers/delete-wf-run.ts';
import { putExternalEvent } from './handlers/put-external-event.ts';
import { deleteExternalEvent } from './handlers/delete-external-event.ts';
import { reportTaskRun } from './handlers/report-task-run.ts';
import { taskClaimEvent } from './handlers/task-claim-event.ts';
import { sleepNodeMatured } from './handlers/sleep-node-matured.ts';
import { externalEventTimeout } from './handlers/external-event-timeout.ts';
import { taskAttemptRetryReady } from './handlers/task-attempt-retry-ready.ts';
import { taskAttemptTimeout } from './handlers/task-attempt-timeout.ts';
import { putWorkflowEventDef } from './handlers/put-workflow-event-def.ts';
import { deleteWorkflowEventDef } from './handlers/delete-workflow-event-def.ts';
import { putCorrelatedEvent } from './handlers/put-correlated-event.ts';
import { deleteCorrelatedEvent } from './handlers/delete-correlated-event.ts';
import { updateCorrelationMarker } from './handlers/update-correlation-marker.ts';
import { putCheckpoint } from './handlers/put-checkpoint.ts';
import { scheduleWf } from './handlers/schedule-wf.ts';
import { deleteScheduledWfRun } from './handlers/delete-scheduled-wf-run.ts';
import { scheduledWfRunFired } from './handlers/scheduled-wf-run-fired.ts';
import { childWfRunTerminated } from './handlers/child-wf-run-terminated.ts';
import { putWorkflowMigrationPlan } from './handlers/put-workflow-migration-plan.ts';
import { deleteWorkflowMigrationPlan } from './handlers/delete-workflow-migration-plan.ts';
import { migrateWfSpec } from './handlers/migrate-wf-spec.ts';
import { applyWorkflowMigrationPlan } from './handlers/apply-workflow-migration-plan.ts';
import { putUserTaskDef } from './handlers/user-task-def-put.ts';
import { deleteUserTaskDef } from './handlers/user-task-def-delete.ts';
import { assignUserTaskRun } from './handlers/user-task-assign.ts';
import { completeUserTaskRun } from './handlers/user-task-complete.ts';
import { cancelUserTaskRun } from './handlers/user-task-cancel.ts';
import { saveUserTaskRunProgress } from './handlers/user-task-save-progress.ts';
import { putUserTaskRunComment } from './handlers/user-task-comment-put.ts';
import { editUserTaskRunComment } from './handlers/user-task-comment-edit.ts';
import { deleteUserTaskRunComment } from './handlers/user-task-comment-delete.ts';
import { userTaskDeadlineReassign } from './handlers/user-task-deadline-reassign.ts';
import { userTaskDeadlineCancel } from './handlers/user-task-deadline-cancel.ts';
import { userTaskTriggeredTask } from './handlers/user-task-triggered-task.ts';
import { archiveThreadRuns } from './handlers/archive-thread-runs.ts';

export function applyCommand(ctx: ProcessorContext): HandlerResult {
  const body = ctx.command.body;
  if (!body) throw new ApiError(Code.INVALID_ARGUMENT, 'The command carries no request.');
  switch (body.$case) {
    case 'putTaskDef':
      return putTaskDef(ctx, body.value);
    case 'deleteTaskDef':
      return deleteTaskDef(ctx, body.value);
    case 'putWfSpec':
      return putWfSpec(ctx, body.value);
    case 'deleteWfSpec':
      return deleteWfSpec(ctx, body.value);
    case 'putExternalEventDef':
      return putExternalEventDef(ctx, body.value);
    case 'deleteExternalEventDef':
      return deleteExternalEventDef(ctx, body.value);
    case 'putStructDef':
      return putStructDef(ctx, body.value);
    case 'deleteStructDef':
      return deleteStructDef(ctx, body.value);
    case 'putTenant':
      return putTenant(ctx, body.value);
    case 'putPrincipal':
      return putPrincipal(ctx, body.value);
    case 'deletePrincipal':
      return deletePrincipal(ctx, body.value);
    case 'initializeCluster':
      return initializeCluster(ctx, body.value);
    case 'runWf':
      return runWf(ctx, body.value);
    case 'stopWfRun':
      return stopWfRun(ctx, body.value);
    case 'rescueThreadRun':
      return rescueThreadRun(ctx, body.value);
    case 'resumeWfRun':
      return resumeWfRun(ctx, body.value);
    case 'deleteWfRun':
      return deleteWfRun(ctx, body.value);
    case 'putExternalEvent':
      return putExternalEvent(ctx, body.value);
    case 'deleteExternalEvent':
      return deleteExternalEvent(ctx, body.value);
    case 'reportTaskRun':
      return reportTaskRun(ctx, body.value);
    case 'taskClaimEvent':
      return taskClaimEvent(ctx, body.value);
    case 'sleepNodeMatured':
      return sleepNodeMatured(ctx, body.value);
    case 'externalEventTimeout':
      return externalEventTimeout(ctx, body.value);
    case 'taskAttemptRetryReady':
      return taskAttemptRetryReady(ctx, body.value);
    case 'taskAttemptTimeout':
      return taskAttemptTimeout(ctx, body.value);
    case 'putWorkflowEventDef':
      return putWorkflowEventDef(ctx, body.value);
    case 'deleteWorkflowEventDef':
      return deleteWorkflowEventDef(ctx, body.value);
    case 'putCorrelatedEvent':
      return putCorrelatedEvent(ctx, body.value);
    case 'deleteCorrelatedEvent':
      return deleteCorrelatedEvent(ctx, body.value);
    case 'updateCorrelationMarker':
      return updateCorrelationMarker(ctx, body.value);
    case 'putCheckpoint':
      return putCheckpoint(ctx, body.value);
    case 'scheduleWf':
      return scheduleWf(ctx, body.value);
    case 'deleteScheduledWfRun':
      return deleteScheduledWfRun(ctx, body.value);
    case 'scheduledWfRunFired':
      return scheduledWfRunFired(ctx, body.value);
    case 'childWfRunTerminated':
      return childWfRunTerminated(ctx, body.value);
    case 'putWorkflowMigrationPlan':
      return putWorkflowMigrationPlan(ctx, body.value);
    case 'deleteWorkflowMigrationPlan':
      return deleteWorkflowMigrationPlan(ctx, body.value);
    case 'migrateWfSpec':
      return migrateWfSpec(ctx, body.value);
    case 'applyWorkflowMigrationPlan':
      return applyWorkflowMigrationPlan(ctx, body.value);
    case 'putUserTaskDef':
      return putUserTaskDef(ctx, body.value);
    case 'deleteUserTaskDef':
      return deleteUserTaskDef(ctx, body.value);
    case 'assignUserTaskRun':
      return assignUserTaskRun(ctx, body.value);
    case 'completeUserTaskRun':
      return completeUserTaskRun(ctx, body.value);
    case 'cancelUserTaskRun':
      return cancelUserTaskRun(ctx, body.value);
    case 'saveUserTaskRunProgress':
      return saveUserTaskRunProgress(ctx, body.value);
    case 'putUserTaskRunComment':
      return putUserTaskRunComment(ctx, body.value);
    case 'editUserTaskRunComment':
      return editUserTaskRunComment(ctx, body.value);
    case 'deleteUserTaskRunComment':
      return deleteUserTaskRunComment(ctx, body.value);
    case 'userTaskDeadlineReassign':
      return userTaskDeadlineReassign(ctx, body.value);
    case 'userTaskDeadlineCancel':
      return userTaskDeadlineCancel(ctx, body.value);
    case 'userTaskTriggeredTask':
      return userTaskTriggeredTask(ctx, body.value);
    case 'archiveThreadRuns':
      return archiveThreadRuns(ctx, body.value);
    case 'taskWorkerHeartBeat':
      throw new ApiError(Code.UNIMPLEMENTED, 'Task worker heartbeats are answered at ingress, not logged.');
  }
}
