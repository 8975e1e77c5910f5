// What SimEngine is built from and queues, and engine.ts's routing check on submit().
import type { Command } from '@filly/proto/internal';
import type { Limits } from '../config/limits.ts';
import { partitionOf, routingOf } from '../commands/routing.ts';
import type { ApplyFn } from '../engine/batch-applier.ts';
import type { EngineLogger } from '../engine/engine-logger.ts';
import { Code } from '../processor/api-error.ts';
import type { Delivery, SimBugs } from './sim-types.ts';
import type { SimLog } from './sim-log.ts';
import type { SimStore } from './sim-store.ts';

export interface PendingCommand {
  command: Command;
  payload: Uint8Array;
  deliver: (d: Delivery) => void;
}

export interface SimEngineDeps {
  log: SimLog;
  store: SimStore;
  limits: Limits;
  partitionCount: number;
  apply: ApplyFn;
  logger: EngineLogger;
  nowMs: () => number;
  bugs: SimBugs;
  /** Told about every command a completed batch made durable, in log order. */
  onDurable: (commands: Command[], firstOffset: number) => void;
}

export function routingProblem(command: Command, partitionCount: number): { code: Code; message: string } | undefined {
  let routing;
  try {
    routing = routingOf(command.body);
  } catch (err) {
    return { code: Code.INVALID_ARGUMENT, message: err instanceof Error ? err.message : String(err) };
  }
  if (routing.kind === 'keyed') return undefined;
  const expected = partitionOf(routing, partitionCount);
  if (command.partition !== expected) return { code: Code.INTERNAL, message: `command stamped for partition ${command.partition}` };
  return undefined;
}
