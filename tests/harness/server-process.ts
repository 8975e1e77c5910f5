// Starts real Filly server processes for integration and compatibility tests: Node 24 runs the
// server's TypeScript source directly, on free loopback ports and a temporary data directory.
// Every process started here is killed when the test process exits, whatever way it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './free-port.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NODE_24 = path.join(REPO_ROOT, 'node_modules', '.bin', 'node');
export const SERVER_MAIN = path.join(REPO_ROOT, 'packages', 'server', 'src', 'main.ts');

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const READY_POLL_INTERVAL_MS = 100;
const READY_PROBE_TIMEOUT_MS = 1_000;
// Keep the tail of the server's output only: a chatty server must not grow the test's memory.
const MAX_LOG_CHARS = 4 * 1024 * 1024;

export interface StartServerOptions {
  /** Data directory to use (kept afterwards); default: a new temporary one, removed at exit. */
  dataDir?: string;
  /** Extra environment; overrides the LHS_* settings the harness chooses. */
  env?: Record<string, string>;
  /** Script to run instead of packages/server/src/main.ts (the harness's own tests use a fake). */
  entry?: string;
  /** How long to wait for /readiness to answer 200. */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before it sends SIGKILL. */
  stopTimeoutMs?: number;
}

export interface ServerProcess {
  readonly port: number;
  readonly healthPort: number;
  readonly internalPort: number;
  readonly dataDir: string;
  /** host:port of the public gRPC listener, e.g. for LHC_API_HOST/LHC_API_PORT. */
  readonly address: string;
  /** pid of the current process (changes on restart); undefined when not running. */
  pid(): number | undefined;
  /** SIGTERM, then wait for the exit (SIGKILL after stopTimeoutMs). */
  stop(): Promise<void>;
  /** SIGKILL, then wait for the exit: a crash. */
  kill9(): Promise<void>;
  /** Stop if running, then start again on the same ports and data directory; resolves when ready. */
  restart(): Promise<void>;
  /** Everything the process(es) printed so far (stdout and stderr interleaved; tail only). */
  logs(): string;
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill what is left and remove our temporary dirs.
  process.on('exit', () => {
    for (const child of live) {
      try { child.kill('SIGKILL'); } catch { /* already gone */ }
    }
    for (const dir of tempDirs) {
      try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort at exit */ }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => process.exit(130));
  }
}

class LogBuffer {
  #text = '';
  append(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > MAX_LOG_CHARS) this.#text = this.#text.slice(this.#text.length - MAX_LOG_CHARS);
  }
  toString(): string { return this.#text; }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.off('exit', onExit); resolve(false); }, timeoutMs);
    const onExit = (): void => { clearTimeout(timer); resolve(true); };
    child.once('exit', onExit);
  });
}

async function probeReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function describeExit(child: ChildProcess): string {
  return child.signalCode !== null ? `signal ${child.signalCode}` : `exit code ${String(child.exitCode)}`;
}

/**
 * With FILLY_TEST_KAFKA_BOOTSTRAP set (tests/integration/kafka-mode-suite.test.ts sets it), every
 * server the harness starts runs in kafka mode on that broker, each in a cluster of its own.
 */
function kafkaModeEnv(): Record<string, string> {
  const bootstrap = process.env['FILLY_TEST_KAFKA_BOOTSTRAP'];
  if (bootstrap === undefined || bootstrap === '') return {};
  return {
    LHS_KAFKA_BOOTSTRAP_SERVERS: bootstrap,
    LHS_CLUSTER_ID: `t${process.pid}-${++kafkaClusters}-${Date.now().toString(36)}`,
    LHS_REPLICATION_FACTOR: '1',
    LHS_INTERNAL_ADVERTISED_HOST: '127.0.0.1',
    LHS_STREAMS_SESSION_TIMEOUT: '6000',
  };
}
let kafkaClusters = 0;

export async function startServer(opts: StartServerOptions = {}): Promise<ServerProcess> {
  installExitHook();
  const [port, healthPort, internalPort] = await freePorts(3);
  if (port === undefined || healthPort === undefined || internalPort === undefined) {
    throw new Error('startServer: could not get three free ports');
  }
  let dataDir = opts.dataDir;
  if (dataDir === undefined) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'filly-test-'));
    tempDirs.add(dataDir);
  } else {
    fs.mkdirSync(dataDir, { recursive: true });
  }
  const entry = opts.entry ?? SERVER_MAIN;
  const readyTimeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const stopTimeoutMs = opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LHS_LISTENERS: `PLAIN:${port}`,
    LHS_ADVERTISED_LISTENERS: `PLAIN://localhost:${port}`,
    LHS_HEALTH_SERVICE_PORT: String(healthPort),
    LHS_INTERNAL_BIND_PORT: String(internalPort),
    LHS_STATE_DIR: dataDir,
    ...kafkaModeEnv(),
    ...opts.env,
  };
  // The test runner marks its children; a server is not a test file, so keep it out of that.
  delete env['NODE_TEST_CONTEXT'];
  const log = new LogBuffer();
  const readinessUrl = `http://127.0.0.1:${healthPort}/readiness`;
  let child: ChildProcess | undefined;
  let generation = 0;

  const launch = async (): Promise<void> => {
    generation++;
    log.append(`\n[harness] starting ${path.relative(REPO_ROOT, entry)} (run ${generation}) port=${port} health=${healthPort}\n`);
    const proc = spawn(NODE_24, [entry], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    live.add(proc);
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => log.append(d));
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => log.append(d));
    proc.once('exit', () => {
      live.delete(proc);
      log.append(`[harness] server process ${proc.pid ?? '?'} ended with ${describeExit(proc)}\n`);
    });
    let spawnError: Error | undefined;
    proc.once('error', (e) => { spawnError = e; });
    const deadline = Date.now() + readyTimeoutMs;
    let attempts = 0;
    const maxAttempts = Math.ceil(readyTimeoutMs / READY_POLL_INTERVAL_MS) + 1;
    while (attempts++ < maxAttempts) {
      if (spawnError !== undefined) throw new Error(`could not start the server: ${spawnError.message}\n${log.toString()}`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`the server exited before it was ready (${describeExit(proc)}). Its output:\n${log.toString()}`);
      }
      if (await probeReady(readinessUrl)) return;
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, READY_POLL_INTERVAL_MS));
    }
    proc.kill('SIGKILL');
    await waitForExit(proc, stopTimeoutMs);
    throw new Error(`the server was not ready after ${readyTimeoutMs} ms (GET ${readinessUrl}). Its output:\n${log.toString()}`);
  };

  const terminate = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const proc = child;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    if (await waitForExit(proc, stopTimeoutMs)) return;
    log.append(`[harness] no exit ${stopTimeoutMs} ms after ${signal}; sending SIGKILL\n`);
    proc.kill('SIGKILL');
    if (!(await waitForExit(proc, stopTimeoutMs))) throw new Error(`server process ${proc.pid ?? '?'} survived SIGKILL`);
  };

  await launch();
  const dir = dataDir;
  return {
    port,
    healthPort,
    internalPort,
    dataDir: dir,
    address: `127.0.0.1:${port}`,
    pid: () => (child !== undefined && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    stop: () => terminate('SIGTERM'),
    kill9: () => terminate('SIGKILL'),
    restart: async () => { await terminate('SIGTERM'); await launch(); },
    logs: () => log.toString(),
  };
}
