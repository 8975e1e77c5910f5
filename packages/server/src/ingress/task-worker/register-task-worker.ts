// RegisterTaskWorker: the worker's heartbeat, answered with the instances it must poll. One
// embedded instance owns every partition, so every worker polls it, at the address advertised
// for the listener the heartbeat arrived on (a TLS listener's workers are sent to TLS).
import type { RegisterTaskWorkerRequest, RegisterTaskWorkerResponse } from '@filly/proto';
import { ApiError, Code } from '../../processor/api-error.ts';
import type { IngressDeps } from '../deps.ts';
import { requireLhName, requirePresent } from '../validate.ts';

export async function registerTaskWorker(deps: IngressDeps, req: RegisterTaskWorkerRequest): Promise<RegisterTaskWorkerResponse> {
  requireLhName(requirePresent(req.taskDefId, 'task_def_id').name, 'task_def_id.name');
  requirePresent(req.taskWorkerId || undefined, 'task_worker_id');
  if (!deps.engine.isReady()) return { yourHosts: [], isClusterHealthy: false };
  const advertised = deps.config.advertisedListeners.find((a) => a.name === deps.listener.name);
  if (!advertised) throw new ApiError(Code.INTERNAL, `No advertised address for listener ${deps.listener.name}.`);
  return { yourHosts: [{ host: advertised.host, port: advertised.port }], isClusterHealthy: true };
}
