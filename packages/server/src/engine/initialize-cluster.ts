// The first command every server submits once its engine runs, in either mode: it creates the
// default tenant and the cluster's other first objects unless they exist already.
import { randomUUID } from 'node:crypto';
import { METADATA_PARTITION } from '../commands/routing.ts';
import { ANONYMOUS_PRINCIPAL, DEFAULT_TENANT } from '../ingress/call-context.ts';
import type { CommandOutcome, EngineApi } from './engine-api.ts';

export function initializeCluster(engine: Pick<EngineApi, 'submit'>): Promise<CommandOutcome> {
  return engine.submit({
    commandId: randomUUID(),
    timeMs: BigInt(Date.now()),
    tenantId: DEFAULT_TENANT,
    principalId: ANONYMOUS_PRINCIPAL,
    partition: METADATA_PARTITION,
    firedTimerKey: undefined,
    generatedWfRunId: false,
    body: { $case: 'initializeCluster', value: {} },
  });
}
