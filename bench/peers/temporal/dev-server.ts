// The Temporal development server (`temporal server start-dev`): in-memory SQLite, no UI, bound
// to loopback on free ports; started and stopped by the benchmark itself.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePorts } from '../../../tests/harness/free-port.ts';

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
const MAX_LOG_CHARS = 64 * 1024;

export interface DevServer {
  address: string;
  pid: number | undefined;
  logs(): string;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startDevServer(cli: string): Promise<DevServer> {
  const [port, httpPort, metricsPort] = await freePorts(3);
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort),
    '--metrics-port', String(metricsPort), '--log-level', 'error'];
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (b: Buffer): void => {
    log = (log + b.toString()).slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // Bounded by the deadline: poll the frontend port until it accepts connections.
  while (!(await portOpen(port!))) {
    if (exited) throw new Error(`temporal server start-dev exited early:\n${log}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`temporal server start-dev did not open port ${port} within ${READY_TIMEOUT_MS} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { address: `127.0.0.1:${port}`, pid: child.pid, logs: () => log, stop };
}
