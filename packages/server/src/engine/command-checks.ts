// What both engines do the same way around the processor: refuse a command stamped for the wrong
// partition before it reaches the log, and hand committed effects to timers, task queues and
// watchers.
import type { Command } from '@filly/proto/internal';
import { Code } from '../processor/api-error.ts';
import type { Effect } from '../processor/context.ts';
import { partitionOf, routingOf } from '../commands/routing.ts';
import type { CommandOutcome } from './engine-api.ts';
import type { EngineLogger } from './engine-logger.ts';
import type { TaskQueues } from '../effects/task-queues/task-queues.ts';
import type { Watchers } from './watchers.ts';

/** The answer to a write that finds the engine's queue full. */
export const TOO_MANY_WRITES: CommandOutcome = {
  ok: false,
  code: Code.RESOURCE_EXHAUSTED,
  message: 'The server has too many writes in progress; retry later.',
};

/** Undefined when the encoded command may be logged; else the outcome that refuses it. */
export function commandProblem(command: Command, payload: Uint8Array, maxRecordBytes: number, partitionCount: number): CommandOutcome | undefined {
  if (payload.length > maxRecordBytes) {
    return { ok: false, code: Code.RESOURCE_EXHAUSTED, message: `The request is ${payload.length} bytes; the limit is ${maxRecordBytes} bytes.` };
  }
  return routingProblem(command, partitionCount);
}

/** Undefined when the command may be logged; else the outcome that refuses it. */
export function routingProblem(command: Command, partitionCount: number): CommandOutcome | undefined {
  let routing;
  try {
    routing = routingOf(command.body);
  } catch (err) {
    return { ok: false, code: Code.INVALID_ARGUMENT, message: err instanceof Error ? err.message : String(err) };
  }
  if (routing.kind === 'keyed') return undefined;
  const expected = partitionOf(routing, partitionCount);
  if (command.partition !== expected) {
    return { ok: false, code: Code.INTERNAL, message: `command stamped for partition ${command.partition}, belongs to ${expected}` };
  }
  return undefined;
}

export interface EffectSinks {
  /** `record`: the timer's stored bytes when the batch that created it is at hand. */
  timer(partition: number, key: string, dueMs: number, record: Uint8Array | undefined): void;
  /** A pending timer was deleted; without this sink it is dropped when it comes due and is not found. */
  timerCancelled?(partition: number, key: string): void;
  tasks: Pick<TaskQueues, 'onScheduled' | 'onUnscheduled'>;
  watchers: Watchers;
  logger: EngineLogger;
}

/** Runs one committed effect; a failing effect is logged, never thrown (the command stands). */
export function runEffect(effect: Effect, sinks: EffectSinks, writes?: ReadonlyMap<string, Uint8Array | null>): void {
  try {
    switch (effect.kind) {
      case 'timer':
        sinks.timer(effect.partition, effect.key, effect.dueMs, writes?.get(effect.key) ?? undefined);
        return;
      case 'timer-cancelled':
        sinks.timerCancelled?.(effect.partition, effect.key);
        return;
      case 'task-scheduled':
        sinks.tasks.onScheduled(effect.tenant, effect.taskDefName, effect.key, effect.task);
        return;
      case 'task-unscheduled':
        sinks.tasks.onUnscheduled(effect.tenant, effect.taskDefName, effect.key);
        return;
      case 'notify':
        sinks.watchers.emit(effect.topic, effect.detail);
        return;
    }
  } catch (err) {
    sinks.logger.error({ err, effect: effect.kind, key: effect.kind === 'notify' ? effect.topic : effect.key }, 'effect failed');
  }
}
