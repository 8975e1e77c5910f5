// What every RPC implementation receives: the engine, the settings, and the listener the call
// arrived on (task workers are told the addresses of that same listener).
import type { ServerConfig } from '../config/config.ts';
import type { Listener } from '../config/listeners.ts';
import type { EngineApi } from '../engine/engine-api.ts';
import type { Logger } from '../logging.ts';

export interface IngressDeps {
  engine: EngineApi;
  config: ServerConfig;
  listener: Listener;
  log: Logger;
}
