// The objects a fuzz run starts from. Their names are in the fuzzer's string pool, so random
// requests often name something that exists and get past the first checks. The WfRuns wait for
// an external event with no timeout: stable state that only a request can change.
import { PutExternalEventDefRequest, PutWorkflowEventDefRequest } from '@filly/proto';
import type { TestClient } from '../harness/grpc-client.ts';
import { putTaskDef, spec, varDef } from '../harness/specs.ts';

export const SEED_WF_RUNS = ['fuzz-run-1', 'fuzz-run-2'];

export async function createSeedState(client: TestClient): Promise<void> {
  await putTaskDef(client, 'fuzz-task', [['x', 'STR']], 'STR');
  await client.call.putExternalEventDef(PutExternalEventDefRequest.fromJSON({ name: 'fuzz-event' }));
  await client.call.putWorkflowEventDef(PutWorkflowEventDefRequest.fromJSON({ name: 'fuzz-wfevent', contentType: { returnType: { primitiveType: 'STR' } } }));
  await client.call.putWfSpec(waitingSpec('fuzz-wf'));
  await client.call.putWfSpec(spec('fuzz-json', {
    '0-entrypoint-ENTRYPOINT': { entrypoint: {}, outgoingEdges: [{ sinkNodeName: '1-exit-EXIT' }] },
    '1-exit-EXIT': { exit: {} },
  }, [varDef('j', 'JSON_OBJ')]));
  for (const id of SEED_WF_RUNS) await client.call.runWf({ wfSpecName: 'fuzz-wf', variables: {}, id });
}

/** Entrypoint, then a wait for the external event, then exit. */
export function waitingSpec(name: string, eventName = 'fuzz-event'): ReturnType<typeof spec> {
  const waitNode = `1-${eventName}-EXTERNAL_EVENT`;
  return spec(name, {
    '0-entrypoint-ENTRYPOINT': { entrypoint: {}, outgoingEdges: [{ sinkNodeName: waitNode }] },
    [waitNode]: { externalEvent: { externalEventDefId: { name: eventName } }, outgoingEdges: [{ sinkNodeName: '2-exit-EXIT' }] },
    '2-exit-EXIT': { exit: {} },
  }, [varDef('v', 'STR')]);
}
