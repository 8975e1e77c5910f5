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
import { putTenant } from './handlers/put-tenant.ts';
import { putPrincipal } from './handlers/put-principal.ts';
import { deletePrincipal } from './handlers/delete-principal.ts';
import { initializeCluster } from './handlers/initialize-cluster.ts';
import { runWf } from './handlers/run-wf.ts';
import { stopWfRun } from './handlers/stop-wf-run.ts';
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
    case 'taskWorkerHeartBeat':
      throw new ApiError(Code.UNIMPLEMENTED, 'Task worker heartbeats are answered at ingress, not logged.');
    // Commands whose handlers are not written yet; ingress does not send them.
    case 'putUserTaskDef':
    case 'deleteUserTaskDef':
    case 'putWorkflowEventDef':
    case 'deleteWorkflowEventDef':
    case 'putStructDef':
    case 'deleteStructDef':
    case 'putWorkflowMigrationPlan':
    case 'deleteWorkflowMigrationPlan':
    case 'migrateWfSpec':
    case 'rescueThreadRun':
    case 'assignUserTaskRun':
    case 'completeUserTaskRun':
    case 'cancelUserTaskRun':
    case 'saveUserTaskRunProgress':
    case 'putUserTaskRunComment':
    case 'editUserTaskRunComment':
    case 'deleteUserTaskRunComment':
    case 'putCorrelatedEvent':
    case 'deleteCorrelatedEvent':
    case 'putCheckpoint':
    case 'scheduleWf':
    case 'deleteScheduledWfRun':
    case 'applyWorkflowMigrationPlan':
      throw new ApiError(Code.UNIMPLEMENTED, `${body.$case} is not applied by this version.`);
  }
}
