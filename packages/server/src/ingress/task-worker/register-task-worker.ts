// RegisterTaskWorker: the worker's heartbeat, answered with the instances it must poll. Tasks are
// queued on the instance that owns their partition, so in a cluster every worker polls every
// member (each at the address advertised for the listener the heartbeat arrived on: a TLS
// listener's workers are sent to TLS). One embedded instance owns every partition.
import type { LHHostInfo, RegisterTaskWorkerRequest, RegisterTaskWorkerResponse } from '@filly/proto';
import { ApiError, Code } from '../../processor/api-error.ts';
import type { IngressDeps } from '../deps.ts';
import { requireLhName, requirePresent } from '../validate.ts';

export async function registerTaskWorker(deps: IngressDeps, req: RegisterTaskWorkerRequest): Promise<RegisterTaskWorkerResponse> {
  requireLhName(requirePresent(req.taskDefId, 'task_def_id').name, 'task_def_id.name');
  requirePresent(req.taskWorkerId || undefined, 'task_worker_id');
  if (!deps.engine.isReady()) return { yourHosts: [], isClusterHealthy: false };
  const name = deps.listener.name;
  const cluster = deps.engine.cluster;
  if (cluster === undefined) {
    const advertised = deps.config.advertisedListeners.find((a) => a.name === name);
    if (!advertised) throw new ApiError(Code.INTERNAL, `No advertised address for listener ${name}.`);
    return { yourHosts: [{ host: advertised.host, port: advertised.port }], isClusterHealthy: true };
  }
  const yourHosts: LHHostInfo[] = [];
  for (const member of cluster.members()) {
    const advertised = member.advertised.find((a) => a.name === name);
    if (advertised) yourHosts.push({ host: advertised.host, port: advertised.port });
  }
  return { yourHosts, isClusterHealthy: yourHosts.length > 0 };
}
