// A small deterministic processor for engine tests, independent of the real handlers:
//   putTaskDef  -> metadata record (ALREADY_EXISTS when present)
//   runWf       -> a WfRun in its group; variables may ask for a timer (sleepMs), a task (task),
//                  a follow-up RunWf with a notification (spawn), or a failure after mutating
//                  cached state (explode)
//   sleepNodeMatured -> completes the WfRun
//   stopWfRun   -> marks it HALTED and unschedules its task (principal '!explode': throws after)
//   resumeWfRun -> read-only, answers with the WfRun
import { LHStatus, ScheduledTask, TaskDef, WfRun, type WfRunId } from '@filly/proto';
import { ApiError, Code } from '../../processor/api-error.ts';
import type { HandlerResult, ProcessorContext } from '../../processor/context.ts';
import { Records } from '../../processor/records.ts';
import { taskDefKey, wfRunKey } from '../../store/keys.ts';

const ts = (ms: number): { seconds: bigint; nanos: number } => ({
  seconds: BigInt(Math.floor(ms / 1000)),
  nanos: (ms % 1000) * 1_000_000,
});

export interface FakeApplyHooks {
  /** Called after a command was applied without error (observation only). */
  onApplied?: (ctx: ProcessorContext) => void;
}

export function makeFakeApply(hooks: FakeApplyHooks = {}): (ctx: ProcessorContext) => HandlerResult {
  return (ctx) => {
    const result = fakeApply(ctx);
    hooks.onApplied?.(ctx);
    return result;
  };
}

export const TASK_GUID = 'task-0';

function fakeApply(ctx: ProcessorContext): HandlerResult {
  const body = ctx.command.body;
  if (!body) throw new ApiError(Code.INVALID_ARGUMENT, 'no body');
  switch (body.$case) {
    case 'putTaskDef': {
      const key = taskDefKey(ctx.tenant, body.value.name);
      if (ctx.get(Records.taskDef, key)) throw new ApiError(Code.ALREADY_EXISTS, `TaskDef ${body.value.name} exists`);
      const def = TaskDef.fromPartial({ id: { name: body.value.name }, createdAt: ts(ctx.nowMs), description: ctx.newGuid() });
      ctx.put(Records.taskDef, key, def);
      return TaskDef.encode(def).finish();
    }
    case 'runWf': {
      const id: WfRunId = { id: body.value.id ?? '' };
      const key = wfRunKey(ctx.partition, ctx.tenant, id);
      if (ctx.get(Records.wfRun, key)) throw new ApiError(Code.ALREADY_EXISTS, `WfRun ${id.id} exists`);
      const run = WfRun.fromPartial({ id, status: LHStatus.RUNNING, startTime: ts(ctx.nowMs), wfSpecId: { name: ctx.newGuid() } });
      ctx.put(Records.wfRun, key, run);
      const vars = body.value.variables;
      const sleep = vars['sleepMs']?.value;
      if (sleep?.$case === 'int') {
        ctx.scheduleTimer(ctx.nowMs + Number(sleep.value), {
          $case: 'sleepNodeMatured',
          value: { nodeRunId: { wfRunId: id, threadRunNumber: 0, position: 1 } },
        });
      }
      const task = vars['task']?.value;
      if (task?.$case === 'str') ctx.scheduleTask(task.value, scheduledTask(id, task.value, ctx.nowMs));
      const spawn = vars['spawn']?.value;
      if (spawn?.$case === 'str') {
        ctx.sendCommand({ $case: 'runWf', value: { wfSpecName: 'w', id: spawn.value, variables: {} } });
        ctx.notify('spawned', spawn.value);
      }
      if (vars['explode']) {
        const stored = ctx.get(Records.wfRun, key)!;
        stored.status = LHStatus.ERROR;
        throw new Error('boom after mutating');
      }
      return WfRun.encode(run).finish();
    }
    case 'sleepNodeMatured': {
      const id = body.value.nodeRunId?.wfRunId;
      if (!id) throw new ApiError(Code.INVALID_ARGUMENT, 'no WfRun');
      const key = wfRunKey(ctx.partition, ctx.tenant, id);
      const run = ctx.get(Records.wfRun, key);
      if (!run) throw new ApiError(Code.NOT_FOUND, 'gone');
      run.status = LHStatus.COMPLETED;
      run.endTime = ts(ctx.nowMs);
      ctx.put(Records.wfRun, key, run);
      return undefined;
    }
    case 'stopWfRun': {
      const id = body.value.wfRunId;
      if (!id) throw new ApiError(Code.INVALID_ARGUMENT, 'no WfRun');
      const key = wfRunKey(ctx.partition, ctx.tenant, id);
      const run = ctx.get(Records.wfRun, key);
      if (!run) throw new ApiError(Code.NOT_FOUND, `WfRun ${id.id} not found`);
      run.status = LHStatus.HALTED;
      ctx.put(Records.wfRun, key, run);
      if (ctx.command.principalId === '!explode') throw new Error('boom after mutating cached state');
      const taskDef = ctx.command.principalId; // tests name the TaskDef here to keep the fake small
      if (taskDef) ctx.unscheduleTask(taskDef, scheduledTask(id, taskDef, ctx.nowMs));
      return undefined;
    }
    case 'resumeWfRun': {
      // Read-only: answers with the WfRun as the cache holds it.
      const id = body.value.wfRunId;
      const run = id && ctx.get(Records.wfRun, wfRunKey(ctx.partition, ctx.tenant, id));
      if (!run) throw new ApiError(Code.NOT_FOUND, 'gone');
      return WfRun.encode(run).finish();
    }
    default:
      throw new ApiError(Code.UNIMPLEMENTED, `fake apply does not handle ${body.$case}`);
  }
}

function scheduledTask(id: WfRunId, taskDef: string, nowMs: number): ScheduledTask {
  return ScheduledTask.fromPartial({
    taskRunId: { wfRunId: id, taskGuid: TASK_GUID },
    taskDefId: { name: taskDef },
    createdAt: ts(nowMs),
  });
}
