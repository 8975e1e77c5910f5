// Builders of commands for engine tests, stamped the way ingress stamps them.
import type { VariableValue } from '@filly/proto';
import { Command } from '@filly/proto/internal';
import { METADATA_PARTITION, partitionOf, routingOf } from '../../commands/routing.ts';

let counter = 0;

function stamp(body: Command['body'], partitionCount: number, extra: Partial<Command> = {}): Command {
  const routing = routingOf(body);
  return Command.fromPartial({
    commandId: `cmd-${++counter}-${body?.$case ?? 'none'}`,
    timeMs: BigInt(Date.now()),
    tenantId: 'default',
    principalId: '',
    partition: routing.kind === 'metadata' ? METADATA_PARTITION : partitionOf(routing, partitionCount),
    body,
    ...extra,
  });
}

export function putTaskDefCommand(name: string, partitionCount: number): Command {
  return stamp({ $case: 'putTaskDef', value: { name, inputVars: [] } }, partitionCount);
}

export function runWfCommand(
  id: string,
  partitionCount: number,
  variables: Record<string, VariableValue> = {},
  extra: Partial<Command> = {},
): Command {
  return stamp({ $case: 'runWf', value: { wfSpecName: 'w', id, variables } }, partitionCount, extra);
}

export function stopWfRunCommand(id: string, partitionCount: number, taskDef: string): Command {
  return stamp({ $case: 'stopWfRun', value: { wfRunId: { id }, threadRunNumber: 0 } }, partitionCount, {
    principalId: taskDef,
  });
}

export const intVar = (n: number): VariableValue => ({ value: { $case: 'int', value: BigInt(n) } });
export const strVar = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });

export function resumeWfRunCommand(id: string, partitionCount: number): Command {
  return stamp({ $case: 'resumeWfRun', value: { wfRunId: { id }, threadRunNumber: 0 } }, partitionCount);
}
