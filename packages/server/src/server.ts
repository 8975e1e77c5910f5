// Starts a Filly server: the engine, one gRPC server per listener, the health server; and stops
// them in the reverse order.
import fs from 'node:fs';
import { LittleHorseService } from '@filly/proto';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ServerConfig } from './config/config.ts';
import type { Listener } from './config/listeners.ts';
import type { EngineApi } from './engine/engine-api.ts';
import { openEmbeddedEngine } from './engine/open-embedded.ts';
import { startHealthServer } from './health/health-server.ts';
import { buildService } from './ingress/service.ts';
import type { Logger } from './logging.ts';

// Upstream clients ping every 45 s even without calls; refusing those pings would make grpc-js
// close worker connections with "too many pings".
const GRPC_SERVER_OPTIONS = {
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
};

export interface RunningServer {
  engine: EngineApi;
  stop(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  if (config.kafkaBootstrapServers) {
    log.warn('LHS_KAFKA_BOOTSTRAP_SERVERS is set, but this version runs embedded only; ignoring it.');
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let stopping = false;
  let engine: EngineApi | undefined;
  const health = await startHealthServer(config, {
    live: () => !stopping,
    ready: () => !stopping && engine !== undefined && engine.isReady(),
    status: () => ({ mode: 'embedded', ready: engine?.isReady() ?? false, partitions: config.partitionCount }),
  }, registry);

  engine = await openEmbeddedEngine(config, log);
  const grpcServers: Server[] = [];
  for (const listener of config.listeners) {
    const server = new Server({ ...GRPC_SERVER_OPTIONS, 'grpc.max_receive_message_length': config.limits.maxRecordBytes * 2 });
    server.addService(LittleHorseService, buildService({ engine, config, listener, log: log.child({ listener: listener.name }) }));
    const port = await bind(server, listener, config);
    log.info({ listener: listener.name, port, protocol: listener.protocol }, 'listening');
    grpcServers.push(server);
  }

  const openEngine = engine;
  return {
    engine: openEngine,
    async stop() {
      stopping = true;
      await Promise.all(grpcServers.map((s) => shutdown(s)));
      await openEngine.close();
      await new Promise<void>((resolve) => health.close(() => resolve()));
    },
  };
}

function credentialsFor(listener: Listener, config: ServerConfig): ServerCredentials {
  if (listener.protocol === 'PLAIN') return ServerCredentials.createInsecure();
  const cert = fs.readFileSync(listener.certPath!);
  const key = fs.readFileSync(listener.keyPath!);
  const ca = listener.protocol === 'MTLS' && config.caCertPath ? fs.readFileSync(config.caCertPath) : null;
  return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], listener.protocol === 'MTLS');
}

function bind(server: Server, listener: Listener, config: ServerConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`0.0.0.0:${listener.port}`, credentialsFor(listener, config), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** Lets calls in flight finish for a bounded time, then cuts the rest (long polls never end). */
function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 5_000);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
