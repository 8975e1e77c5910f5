// Starts a Filly server: the engine, one gRPC server per listener, the health server; and stops
// them in the reverse order.
import fs from 'node:fs';
import { LittleHorseService } from '@filly/proto';
import { Server, ServerCredentials, type UntypedHandleCall } from '@grpc/grpc-js';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ServerConfig } from './config/config.ts';
import type { Listener } from './config/listeners.ts';
import type { EngineApi } from './engine/engine-api.ts';
import { openEmbeddedEngine } from './engine/open-embedded.ts';
import { openKafkaEngine } from './cluster/open-kafka.ts';
import { startHealthServer } from './health/health-server.ts';
import { buildService } from './ingress/service.ts';
import { CallGuard } from './ingress/call-guard.ts';
import { ConnectionLimiter } from './ingress/connection-limit.ts';
import { passEncodedResponses } from './ingress/encoded-response.ts';
import { tolerantService } from './ingress/malformed-request.ts';
import { EngineMetrics } from './metrics/engine-metrics.ts';
import { registerEngineGauges } from './metrics/engine-gauges.ts';
import { embeddedGaugeSource, taskGaugeSource } from './metrics/engine-gauge-sources.ts';
import { RpcMetrics } from './metrics/rpc-metrics.ts';
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
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const engineMetrics = new EngineMetrics(registry);
  const rpcMetrics = new RpcMetrics(registry);
  let stopping = false;
  let engine: EngineApi | undefined;
  let kafkaStatus: (() => Record<string, unknown>) | undefined;
  const health = await startHealthServer(config, {
    live: () => !stopping,
    ready: () => !stopping && engine !== undefined && engine.isReady(),
    status: () => ({ mode: config.kafka ? 'kafka' : 'embedded', ready: engine?.isReady() ?? false, partitions: config.kafka?.partitionCount ?? config.partitionCount, ...kafkaStatus?.() }),
  }, registry);

  let closeEngine: () => Promise<void>;
  if (config.kafka) {
    const opened = await openKafkaEngine(config, config.kafka, log, engineMetrics);
    engine = opened.engine;
    kafkaStatus = opened.status;
    closeEngine = opened.close;
    registerEngineGauges(registry, taskGaugeSource(opened.engine.tasks));
  } else {
    const embedded = await openEmbeddedEngine(config, log, engineMetrics);
    engine = embedded;
    closeEngine = () => embedded.close();
    registerEngineGauges(registry, embeddedGaugeSource(embedded));
  }
  const grpcServers: Server[] = [];
  // One connection count and one admission guard for all listeners: the limits are per server.
  const connections = new ConnectionLimiter(config.limits.maxConnections, log);
  const guard = new CallGuard({ limits: config.limits, log, isOverflowPeer: connections.isOverflowPeer, rpcs: rpcMetrics });
  for (const listener of config.listeners) {
    const server = new Server({ ...GRPC_SERVER_OPTIONS, 'grpc.max_receive_message_length': config.limits.maxRecordBytes * 2 });
    const handlers = buildService({ engine, config, listener, log: log.child({ listener: listener.name }) });
    server.addService(passEncodedResponses(tolerantService(LittleHorseService)), guard.wrap(LittleHorseService, handlers as unknown as Record<string, UntypedHandleCall>));
    const port = await connections.listen(server, listener.port, credentialsFor(listener, config));
    log.info({ listener: listener.name, port, protocol: listener.protocol }, 'listening');
    grpcServers.push(server);
  }

  const openEngine = engine;
  return {
    engine: openEngine,
    async stop() {
      stopping = true;
      connections.close();
      await Promise.all(grpcServers.map((s) => shutdown(s)));
      await closeEngine();
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
