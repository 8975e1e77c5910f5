// The implementation of service littlehorse.LittleHorse handed to grpc-js: every rpc of the
// contract is present; those Filly does not serve yet answer UNIMPLEMENTED, saying so.
import { LittleHorseService, type LittleHorseServer } from '@filly/proto';
import { status, type ServerDuplexStream, type UntypedHandleCall } from '@grpc/grpc-js';
import { Code, ApiError } from '../processor/api-error.ts';
import { callContextOf } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import * as meta from './metadata-reads.ts';
import * as metaWrites from './metadata-writes.ts';
import * as metaSearch from './metadata-searches.ts';
import { searchWfRun } from './wf-run-search.ts';
import { getServerVersion } from './server-version.ts';
import { toServiceError, unary } from './status.ts';
import { endStreamWithError } from './stream-status.ts';
import { pollTask } from './task-worker/poll-task.ts';
import { registerTaskWorker } from './task-worker/register-task-worker.ts';
import { reportTask } from './task-worker/report-task.ts';
import * as structReads from './struct-def-reads.ts';
import * as structWrites from './struct-def-writes.ts';
import * as reads from './wf-run-reads.ts';
import * as userTaskDefs from './user-task-defs.ts';
import * as userTaskRuns from './user-task-runs.ts';
import * as writes from './wf-run-writes.ts';
import * as wfEventReads from './workflow-event-reads.ts';
import * as wfEventWrites from './workflow-event-writes.ts';
import { awaitWorkflowEvent } from './await-workflow-event.ts';
import * as correlated from './correlated-events.ts';
import * as checkpoints from './checkpoints.ts';
import * as schedules from './scheduled-wf-runs.ts';
import * as migrations from './migration-plans.ts';
import * as threadWrites from './thread-run-writes.ts';
import { getInactiveThreadRun } from './inactive-thread-runs.ts';
import { searchNodeRun } from './searches/node-run-search.ts';
import { searchTaskRun } from './searches/task-run-search.ts';
import { searchUserTaskRun } from './searches/user-task-run-search.ts';
import { searchVariable } from './searches/variable-search.ts';
import * as eventSearch from './searches/event-searches.ts';
import * as defSearch from './searches/metadata-def-searches.ts';

type Method = keyof LittleHorseServer & keyof typeof LittleHorseService;

/** Builds the handlers that exist; the table below is the single list of what is served. */
function implemented(deps: IngressDeps): Partial<LittleHorseServer> {
  const { log } = deps;
  // Wraps a handler that needs the caller's tenant; the tenant must exist.
  const t = <Req, Res>(name: string, fn: (ctx: ReturnType<typeof callContextOf>, req: Req) => Promise<Res>) =>
    unary<Req, Res>(name, log, async (req, call) => {
      const ctx = callContextOf(call.metadata);
      await requireTenant(deps, ctx.tenant);
      return fn(ctx, req);
    });
  return {
    putTaskDef: t('PutTaskDef', (ctx, req) => metaWrites.putTaskDef(deps, ctx, req)),
    getTaskDef: t('GetTaskDef', (ctx, req) => meta.getTaskDef(deps, ctx, req)),
    deleteTaskDef: t('DeleteTaskDef', (ctx, req) => metaWrites.deleteTaskDef(deps, ctx, req)),
    putWfSpec: t('PutWfSpec', (ctx, req) => metaWrites.putWfSpec(deps, ctx, req)),
    getWfSpec: t('GetWfSpec', (ctx, req) => meta.getWfSpec(deps, ctx, req)),
    getLatestWfSpec: t('GetLatestWfSpec', (ctx, req) => meta.getLatestWfSpec(deps, ctx, req)),
    deleteWfSpec: t('DeleteWfSpec', (ctx, req) => metaWrites.deleteWfSpec(deps, ctx, req)),
    putExternalEventDef: t('PutExternalEventDef', (ctx, req) => metaWrites.putExternalEventDef(deps, ctx, req)),
    getExternalEventDef: t('GetExternalEventDef', (ctx, req) => meta.getExternalEventDef(deps, ctx, req)),
    deleteExternalEventDef: t('DeleteExternalEventDef', (ctx, req) => metaWrites.deleteExternalEventDef(deps, ctx, req)),
    putStructDef: t('PutStructDef', (ctx, req) => structWrites.putStructDef(deps, ctx, req)),
    getStructDef: t('GetStructDef', (ctx, req) => structReads.getStructDef(deps, ctx, req)),
    deleteStructDef: t('DeleteStructDef', (ctx, req) => structWrites.deleteStructDef(deps, ctx, req)),
    validateStructDefEvolution: t('ValidateStructDefEvolution', (ctx, req) => structReads.validateStructDefEvolution(deps, ctx, req)),
    runWf: t('RunWf', (ctx, req) => writes.runWf(deps, ctx, req)),
    getWfRun: t('GetWfRun', (ctx, req) => reads.getWfRun(deps, ctx, req)),
    getInactiveThreadRun: t('GetInactiveThreadRun', (ctx, req) => getInactiveThreadRun(deps, ctx, req)),
    stopWfRun: t('StopWfRun', (ctx, req) => writes.stopWfRun(deps, ctx, req)),
    resumeWfRun: t('ResumeWfRun', (ctx, req) => writes.resumeWfRun(deps, ctx, req)),
    rescueThreadRun: t('RescueThreadRun', (ctx, req) => threadWrites.rescueThreadRun(deps, ctx, req)),
    deleteWfRun: t('DeleteWfRun', (ctx, req) => writes.deleteWfRun(deps, ctx, req)),
    getNodeRun: t('GetNodeRun', (ctx, req) => reads.getNodeRun(deps, ctx, req)),
    listNodeRuns: t('ListNodeRuns', (ctx, req) => reads.listNodeRuns(deps, ctx, req)),
    getTaskRun: t('GetTaskRun', (ctx, req) => reads.getTaskRun(deps, ctx, req)),
    listTaskRuns: t('ListTaskRuns', (ctx, req) => reads.listTaskRuns(deps, ctx, req)),
    getVariable: t('GetVariable', (ctx, req) => reads.getVariable(deps, ctx, req)),
    listVariables: t('ListVariables', (ctx, req) => reads.listVariables(deps, ctx, req)),
    putExternalEvent: t('PutExternalEvent', (ctx, req) => writes.putExternalEvent(deps, ctx, req)),
    getExternalEvent: t('GetExternalEvent', (ctx, req) => reads.getExternalEvent(deps, ctx, req)),
    listExternalEvents: t('ListExternalEvents', (ctx, req) => reads.listExternalEvents(deps, ctx, req)),
    registerTaskWorker: t('RegisterTaskWorker', (_ctx, req) => registerTaskWorker(deps, req)),
    reportTask: t('ReportTask', (ctx, req) => reportTask(deps, ctx, req)),
    // The tenant is checked before the stream is served; requests wait unread until then.
    pollTask: (stream) => {
      requireTenant(deps, callContextOf(stream.metadata).tenant).then(
        () => pollTask(deps, stream),
        (err: unknown) => endStreamWithError(stream as ServerDuplexStream<unknown, unknown>, toServiceError(err, log, 'PollTask')),
      );
    },
    scheduleWf: t('ScheduleWf', (ctx, req) => schedules.scheduleWf(deps, ctx, req)),
    getScheduledWfRun: t('GetScheduledWfRun', (ctx, req) => schedules.getScheduledWfRun(deps, ctx, req)),
    deleteScheduledWfRun: t('DeleteScheduledWfRun', (ctx, req) => schedules.deleteScheduledWfRun(deps, ctx, req)),
    searchScheduledWfRun: t('SearchScheduledWfRun', (ctx, req) => schedules.searchScheduledWfRun(deps, ctx, req)),
    putWorkflowMigrationPlan: t('PutWorkflowMigrationPlan', (ctx, req) => migrations.putWorkflowMigrationPlan(deps, ctx, req)),
    getWorkflowMigrationPlan: t('GetWorkflowMigrationPlan', (ctx, req) => migrations.getWorkflowMigrationPlan(deps, ctx, req)),
    deleteWorkflowMigrationPlan: t('DeleteWorkflowMigrationPlan', (ctx, req) => migrations.deleteWorkflowMigrationPlan(deps, ctx, req)),
    migrateWfSpec: t('MigrateWfSpec', (ctx, req) => migrations.migrateWfSpec(deps, ctx, req)),
    applyWorkflowMigrationPlan: t('ApplyWorkflowMigrationPlan', (ctx, req) => migrations.applyWorkflowMigrationPlan(deps, ctx, req)),
    whoami: t('Whoami', (ctx) => meta.whoami(deps, ctx)),
    getServerVersion: unary('GetServerVersion', log, async () => getServerVersion()),
    putTenant: t('PutTenant', (ctx, req) => metaWrites.putTenant(deps, ctx, req)),
    getTenant: t('GetTenant', (_ctx, req) => meta.getTenant(deps, req)),
    putUserTaskDef: t('PutUserTaskDef', (ctx, req) => userTaskDefs.putUserTaskDef(deps, ctx, req)),
    getUserTaskDef: t('GetUserTaskDef', (ctx, req) => userTaskDefs.getUserTaskDef(deps, ctx, req)),
    getLatestUserTaskDef: t('GetLatestUserTaskDef', (ctx, req) => userTaskDefs.getLatestUserTaskDef(deps, ctx, req)),
    deleteUserTaskDef: t('DeleteUserTaskDef', (ctx, req) => userTaskDefs.deleteUserTaskDef(deps, ctx, req)),
    getUserTaskRun: t('GetUserTaskRun', (ctx, req) => userTaskRuns.getUserTaskRun(deps, ctx, req)),
    listUserTaskRuns: t('ListUserTaskRuns', (ctx, req) => userTaskRuns.listUserTaskRuns(deps, ctx, req)),
    assignUserTaskRun: t('AssignUserTaskRun', (ctx, req) => userTaskRuns.assignUserTaskRun(deps, ctx, req)),
    completeUserTaskRun: t('CompleteUserTaskRun', (ctx, req) => userTaskRuns.completeUserTaskRun(deps, ctx, req)),
    cancelUserTaskRun: t('CancelUserTaskRun', (ctx, req) => userTaskRuns.cancelUserTaskRun(deps, ctx, req)),
    saveUserTaskRunProgress: t('SaveUserTaskRunProgress', (ctx, req) => userTaskRuns.saveUserTaskRunProgress(deps, ctx, req)),
    putUserTaskRunComment: t('PutUserTaskRunComment', (ctx, req) => userTaskRuns.putUserTaskRunComment(deps, ctx, req)),
    editUserTaskRunComment: t('EditUserTaskRunComment', (ctx, req) => userTaskRuns.editUserTaskRunComment(deps, ctx, req)),
    deleteUserTaskRunComment: t('DeleteUserTaskRunComment', (ctx, req) => userTaskRuns.deleteUserTaskRunComment(deps, ctx, req)),
    putWorkflowEventDef: t('PutWorkflowEventDef', (ctx, req) => wfEventWrites.putWorkflowEventDef(deps, ctx, req)),
    getWorkflowEventDef: t('GetWorkflowEventDef', (ctx, req) => wfEventReads.getWorkflowEventDef(deps, ctx, req)),
    deleteWorkflowEventDef: t('DeleteWorkflowEventDef', (ctx, req) => wfEventWrites.deleteWorkflowEventDef(deps, ctx, req)),
    getWorkflowEvent: t('GetWorkflowEvent', (ctx, req) => wfEventReads.getWorkflowEvent(deps, ctx, req)),
    listWorkflowEvents: t('ListWorkflowEvents', (ctx, req) => wfEventReads.listWorkflowEvents(deps, ctx, req)),
    // A long poll: it needs the call itself (deadline, cancellation), so it is wrapped by hand.
    awaitWorkflowEvent: unary('AwaitWorkflowEvent', log, async (req, call) => {
      const ctx = callContextOf(call.metadata);
      await requireTenant(deps, ctx.tenant);
      return awaitWorkflowEvent(deps, ctx, req, call);
    }),
    putCorrelatedEvent: t('PutCorrelatedEvent', (ctx, req) => correlated.putCorrelatedEvent(deps, ctx, req)),
    getCorrelatedEvent: t('GetCorrelatedEvent', (ctx, req) => correlated.getCorrelatedEvent(deps, ctx, req)),
    deleteCorrelatedEvent: t('DeleteCorrelatedEvent', (ctx, req) => correlated.deleteCorrelatedEvent(deps, ctx, req)),
    putCheckpoint: t('PutCheckpoint', (ctx, req) => checkpoints.putCheckpoint(deps, ctx, req)),
    getCheckpoint: t('GetCheckpoint', (ctx, req) => checkpoints.getCheckpoint(deps, ctx, req)),
    searchWfRun: t('SearchWfRun', (ctx, req) => searchWfRun(deps, ctx, req)),
    searchTaskDef: t('SearchTaskDef', (ctx, req) => metaSearch.searchTaskDef(deps, ctx, req)),
    searchWfSpec: t('SearchWfSpec', (ctx, req) => metaSearch.searchWfSpec(deps, ctx, req)),
    searchExternalEventDef: t('SearchExternalEventDef', (ctx, req) => metaSearch.searchExternalEventDef(deps, ctx, req)),
    searchTenant: t('SearchTenant', (_ctx, req) => metaSearch.searchTenant(deps, req)),
    searchPrincipal: t('SearchPrincipal', (_ctx, req) => metaSearch.searchPrincipal(deps, req)),
    searchNodeRun: t('SearchNodeRun', (ctx, req) => searchNodeRun(deps, ctx, req)),
    searchTaskRun: t('SearchTaskRun', (ctx, req) => searchTaskRun(deps, ctx, req)),
    searchUserTaskRun: t('SearchUserTaskRun', (ctx, req) => searchUserTaskRun(deps, ctx, req)),
    searchVariable: t('SearchVariable', (ctx, req) => searchVariable(deps, ctx, req)),
    searchExternalEvent: t('SearchExternalEvent', (ctx, req) => eventSearch.searchExternalEvent(deps, ctx, req)),
    searchWorkflowEvent: t('SearchWorkflowEvent', (ctx, req) => eventSearch.searchWorkflowEvent(deps, ctx, req)),
    searchCorrelatedEvent: t('SearchCorrelatedEvent', (ctx, req) => eventSearch.searchCorrelatedEvent(deps, ctx, req)),
    searchUserTaskDef: t('SearchUserTaskDef', (ctx, req) => defSearch.searchUserTaskDef(deps, ctx, req)),
    searchStructDef: t('SearchStructDef', (ctx, req) => defSearch.searchStructDef(deps, ctx, req)),
    searchWorkflowEventDef: t('SearchWorkflowEventDef', (ctx, req) => defSearch.searchWorkflowEventDef(deps, ctx, req)),
  };
}

/** Rpc names served in full, in the order of the contract. */
export function implementedRpcNames(): string[] {
  const served = new Set(Object.keys(implemented(placeholderDeps)));
  return (Object.keys(LittleHorseService) as Method[]).filter((m) => served.has(m)).map(rpcName);
}

export function allRpcNames(): string[] {
  return (Object.keys(LittleHorseService) as Method[]).map(rpcName);
}

function rpcName(method: string): string {
  const def = LittleHorseService[method as Method];
  return def.path.split('/').pop() ?? method;
}

export function buildService(deps: IngressDeps): LittleHorseServer {
  const impl = implemented(deps) as Record<string, UntypedHandleCall>;
  const full: Record<string, UntypedHandleCall> = {};
  for (const method of Object.keys(LittleHorseService) as Method[]) {
    full[method] = impl[method] ?? unimplemented(rpcName(method), LittleHorseService[method].requestStream);
  }
  return full as unknown as LittleHorseServer;
}

function unimplemented(name: string, streaming: boolean): UntypedHandleCall {
  const message = `${name} is not implemented by this Filly version yet; see the compatibility table in Filly's README.`;
  const error = { code: status.UNIMPLEMENTED, details: message, message };
  if (streaming) return ((stream: ServerDuplexStream<unknown, unknown>) => stream.destroy(Object.assign(new Error(message), error))) as UntypedHandleCall;
  return ((_call: unknown, callback: (e: unknown) => void) => callback(Object.assign(new Error(message), error))) as UntypedHandleCall;
}

async function requireTenant(deps: IngressDeps, tenant: string): Promise<void> {
  if (!(await tenantExists(deps, tenant))) throw new ApiError(Code.PERMISSION_DENIED, `Tenant not allowed: tenant "${tenant.slice(0, 80)}" does not exist.`);
}

async function tenantExists(deps: IngressDeps, tenant: string): Promise<boolean> {
  try {
    await meta.getTenant(deps, { id: tenant });
    return true;
  } catch (err) {
    if (err instanceof ApiError && (err.code === Code.NOT_FOUND || err.code === Code.INVALID_ARGUMENT)) return false;
    throw err;
  }
}

// implementedRpcNames() only inspects which keys exist; no handler runs.
const placeholderDeps = {} as IngressDeps;
