// Opens the embedded engine in LHS_STATE_DIR and makes sure the cluster's first objects exist
// (the default tenant and the anonymous admin principal) before any call is served.
import path from 'node:path';
import type { ServerConfig } from '../config/config.ts';
import type { Logger } from '../logging.ts';
import { Engine } from './engine.ts';
import { initializeCluster } from './initialize-cluster.ts';
import type { EngineObserver } from './engine-observer.ts';

/** `observer` is told about batches and fired timers (the server's metrics). */
export async function openEmbeddedEngine(config: ServerConfig, log: Logger, observer?: EngineObserver): Promise<Engine> {
  const engine = await Engine.open({
    dataDir: path.join(config.stateDir, 'embedded'),
    partitionCount: config.partitionCount,
    limits: config.limits,
    logger: log.child({ component: 'engine' }),
    ...(observer === undefined ? {} : { observer }),
  });
  const outcome = await initializeCluster(engine);
  if (!outcome.ok) throw new Error(`cluster initialization failed: ${outcome.message}`);
  return engine;
}
