// Turning a request into a command, submitting it, and waiting for its outcome.
import { randomUUID } from 'node:crypto';
import type { Command } from '@filly/proto/internal';
import { ApiError, Code } from '../processor/api-error.ts';
import { partitionOf, routingOf } from '../commands/routing.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { encodedResponse } from './encoded-response.ts';

export type CommandBody = NonNullable<Command['body']>;

export function newCommand(ctx: CallContext, body: CommandBody, partitionCount: number, generatedWfRunId = false): Command {
  return {
    commandId: randomUUID(),
    timeMs: BigInt(Date.now()),
    tenantId: ctx.tenant,
    principalId: ctx.principal,
    partition: partitionOf(routingOf(body), partitionCount),
    firedTimerKey: undefined,
    generatedWfRunId,
    body,
  };
}

/** Submits the command and returns the handler's encoded response, or throws its ApiError. */
export async function submit(deps: IngressDeps, ctx: CallContext, body: CommandBody, generatedWfRunId = false): Promise<Uint8Array | undefined> {
  const command = newCommand(ctx, body, deps.engine.partitionCount, generatedWfRunId);
  let outcome;
  try {
    outcome = await deps.engine.submit(command);
  } catch (err) {
    throw new ApiError(Code.UNAVAILABLE, `The server cannot accept writes right now: ${(err as Error).message}`);
  }
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message);
  return outcome.response;
}

/**
 * Like submitFor, for a response that only goes back to the caller: the handler's bytes are sent
 * as they are (encoded-response.ts) instead of being decoded here and encoded again by gRPC.
 */
export async function submitEncoded<T>(deps: IngressDeps, ctx: CallContext, body: CommandBody, generatedWfRunId = false): Promise<T> {
  const response = await submit(deps, ctx, body, generatedWfRunId);
  if (response === undefined) throw new Error(`handler for ${body.$case} returned no response`);
  return encodedResponse<T>(response);
}

/** Like submit, for commands whose handler always answers with a message. */
export async function submitFor<T>(
  deps: IngressDeps,
  ctx: CallContext,
  body: CommandBody,
  decode: (b: Uint8Array) => T,
  generatedWfRunId = false,
): Promise<T> {
  const response = await submit(deps, ctx, body, generatedWfRunId);
  if (response === undefined) throw new Error(`handler for ${body.$case} returned no response`);
  return decode(response);
}
