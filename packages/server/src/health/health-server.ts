// The HTTP status server (LHS_HEALTH_SERVICE_PORT, 1822 by default): /liveness and /readiness
// for orchestrators and test harnesses, /metrics in Prometheus text format, /status as JSON.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ServerConfig } from '../config/config.ts';

export interface HealthState {
  live(): boolean;
  ready(): boolean;
  status(): Record<string, unknown>;
}

export async function startHealthServer(config: ServerConfig, state: HealthState, registry: Registry): Promise<http.Server> {
  const { liveness, readiness, metrics, status } = config.healthPaths;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    if (path === liveness) return send(state.live() ? 200 : 503, state.live() ? 'OK!' : 'Not alive');
    if (path === readiness) return send(state.ready() ? 200 : 503, state.ready() ? 'OK!' : 'Not ready');
    if (path === status) return send(200, JSON.stringify(state.status()), 'application/json');
    if (path === metrics) {
      registry.metrics().then((text) => send(200, text, registry.contentType), (err: unknown) => send(500, String(err)));
      return;
    }
    send(404, 'Not found');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.healthPort, '0.0.0.0', () => resolve());
  });
  return server;
}

export function boundPort(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}
