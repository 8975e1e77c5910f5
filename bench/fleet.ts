// The coordinator's side of the load: forks load-client and worker processes (one Node gRPC
// client saturates a core well before a server does), relays closed-loop credits from workers to
// clients, runs phases and merges what every process measured.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowUs, sleepMs } from './clock.ts';
import { Histogram } from './histogram.ts';
import type { ClientPhase, ClientStats, FromClient, FromWorker, LoadMode, PhaseWindow, ToClient, ToWorker, WorkerStats } from './messages.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE_24 = path.join(HERE, '..', 'node_modules', '.bin', 'node');
const READY_TIMEOUT_MS = 30_000;
/** Lead time between announcing a phase and its start, so every process starts together. */
const PHASE_LEAD_US = 300_000;
const MAX_PROCESSES = 64;

export interface FleetOptions {
  /** Every instance of the server. */
  addresses: string[];
  /** Instances a worker must be told to poll before it counts as ready. */
  expectHosts: number;
  tenant: string | undefined;
  clients: number;
  workers: number;
  workerCredits: number;
  taskDefName: string;
  wfSpecName: string;
  staticVariables: Record<string, unknown>;
}

export interface PhaseRequest {
  warmupMs: number;
  /** Ignored by 'burst', which runs until its total is sent. */
  durationMs: number;
  /** Total over all client processes; split evenly. */
  mode: LoadMode;
  mix?: 'run' | 'run-get';
  maxInFlight?: number;
  recordStarts?: boolean;
  recordRuns?: boolean;
  verifyEvery?: number;
  /** After the load stops, wait this long at most for started WfRuns to complete. */
  drainTimeoutMs: number;
}

export interface PhaseOutcome {
  window: PhaseWindow;
  /** Length of the measured window in seconds (burst: from first send to last completion). */
  measuredSec: number;
  client: Omit<ClientStats, 'runWfUs' | 'getWfRunUs'> & { runWfUs: Histogram; getWfRunUs: Histogram };
  worker: Omit<WorkerStats, 'deliverUs' | 'hopUs' | 'completeUs' | 'series'> & {
    deliverUs: Histogram; hopUs: Histogram; completeUs: Histogram; series: Array<[number, Histogram]>;
  };
  /** Accepted RunWfs whose completion was not seen before the drain timeout. */
  notCompleted: number;
}

class Child<In, Out extends { type: string }> {
  readonly proc: ChildProcess;
  readonly #waiters = new Map<string, Array<(m: Out) => void>>();
  onMessage: (m: Out) => void = () => undefined;
  #exitError: Error | undefined;

  readonly name: string;

  constructor(script: string, name: string) {
    this.name = name;
    const env = { ...process.env };
    delete env['NODE_TEST_CONTEXT'];
    this.proc = fork(path.join(HERE, 'proc', script), [], { execPath: NODE_24, serialization: 'advanced', env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (raw) => {
      const m = raw as Out;
      if (m.type === 'fatal') this.#exitError = new Error(`${name} failed: ${(m as unknown as { message: string }).message}`);
      const list = this.#waiters.get(m.type);
      const waiter = list?.shift();
      if (waiter !== undefined) waiter(m);
      else this.onMessage(m);
    });
    this.proc.on('exit', (code, signal) => {
      this.#exitError ??= new Error(`${name} exited (${signal ?? code})`);
      for (const list of this.#waiters.values()) list.length = 0;
    });
  }

  send(msg: In): void {
    if (this.#exitError !== undefined) throw this.#exitError;
    this.proc.send(msg as object);
  }

  /** The next message of a type; fails if the process dies or the time runs out. */
  next<T extends Out['type']>(type: T, timeoutMs: number): Promise<Extract<Out, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.#exitError !== undefined) return reject(this.#exitError);
      const timer = setTimeout(() => reject(this.#exitError ?? new Error(`${this.name}: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (): void => { clearTimeout(timer); reject(this.#exitError ?? new Error(`${this.name} exited`)); };
      this.proc.once('exit', onExit);
      const list = this.#waiters.get(type) ?? [];
      list.push((m) => { clearTimeout(timer); this.proc.off('exit', onExit); resolve(m as Extract<Out, { type: T }>); });
      this.#waiters.set(type, list);
    });
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

export class Fleet {
  readonly #clients: Array<Child<ToClient, FromClient>>;
  readonly #workers: Array<Child<ToWorker, FromWorker>>;
  readonly #progress: Array<{ tasks: number; completed: number }>;
  /** The instances each worker polls. */
  workerHosts: string[][] = [];

  private constructor(opts: FleetOptions) {
    if (opts.clients < 1 || opts.workers < 1 || opts.clients + opts.workers > MAX_PROCESSES) {
      throw new RangeError(`need 1+ clients and 1+ workers, at most ${MAX_PROCESSES} processes in all`);
    }
    this.#clients = Array.from({ length: opts.clients }, (_, i) => new Child<ToClient, FromClient>('load-client.ts', `load client ${i}`));
    this.#workers = Array.from({ length: opts.workers }, (_, i) => new Child<ToWorker, FromWorker>('task-worker.ts', `worker ${i}`));
    this.#progress = this.#workers.map(() => ({ tasks: 0, completed: 0 }));
    this.#workers.forEach((w, i) => {
      w.onMessage = (m) => {
        if (m.type === 'credits') {
          for (const [clientIndex, n] of m.byClient) {
            // A client that died fails its phase on its own; its credits have nowhere to go.
            try { this.#clients[clientIndex]?.send({ type: 'credit', n }); } catch { /* gone */ }
          }
        } else if (m.type === 'progress') {
          this.#progress[i] = { tasks: m.tasks, completed: m.completed };
        }
      };
    });
  }

  static async start(opts: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(opts);
    try {
      const [workersReady] = await Promise.all([
        Promise.all(fleet.#workers.map((w, index) => {
          const ready = w.next('ready', READY_TIMEOUT_MS);
          w.send({ type: 'init', addresses: opts.addresses, expectHosts: opts.expectHosts, tenant: opts.tenant, index, taskDefName: opts.taskDefName, credits: opts.workerCredits });
          return ready;
        })),
        Promise.all(fleet.#clients.map((c, index) => {
          const ready = c.next('ready', READY_TIMEOUT_MS);
          c.send({ type: 'init', addresses: opts.addresses, tenant: opts.tenant, index, wfSpecName: opts.wfSpecName, staticVariables: opts.staticVariables });
          return ready;
        })),
      ]);
      fleet.workerHosts = workersReady.map((r) => r.hosts);
    } catch (err) {
      fleet.close();
      throw err;
    }
    return fleet;
  }

  pids(): { clients: number[]; workers: number[] } {
    const pid = (c: { proc: ChildProcess }): number => c.proc.pid ?? 0;
    return { clients: this.#clients.map(pid), workers: this.#workers.map(pid) };
  }

  async runPhase(req: PhaseRequest): Promise<PhaseOutcome> {
    const startUs = nowUs() + PHASE_LEAD_US;
    const measureFromUs = startUs + req.warmupMs * 1000;
    const burst = req.mode.kind === 'burst';
    const window: PhaseWindow = { startUs, measureFromUs, endUs: burst ? Number.MAX_SAFE_INTEGER : measureFromUs + req.durationMs * 1000 };
    await Promise.all(this.#workers.map((w) => {
      const ack = w.next('phase-ready', READY_TIMEOUT_MS);
      w.send({ type: 'phase', window, verifyEvery: req.verifyEvery ?? 0, recordRuns: req.recordRuns ?? false });
      return ack;
    }));
    this.#progress.forEach((_, i) => { this.#progress[i] = { tasks: 0, completed: 0 }; });
    const n = this.#clients.length;
    const phaseTimeoutMs = (burst ? 24 * 3600 : (req.warmupMs + req.durationMs) / 1000 + 120) * 1000;
    const done = await Promise.all(this.#clients.map((c, i) => {
      const result = c.next('phase-done', phaseTimeoutMs);
      c.send({ type: 'phase', window, mode: shareOf(req.mode, i, n), mix: req.mix ?? 'run', maxInFlight: req.maxInFlight ?? 10_000, recordStarts: req.recordStarts ?? false } satisfies ClientPhase);
      return result;
    }));
    const loadEndUs = nowUs();
    const accepted = done.reduce((a, d) => a + d.stats.accepted, 0);
    const drainDeadline = Date.now() + req.drainTimeoutMs;
    while (this.#completed() < accepted && Date.now() < drainDeadline) await sleepMs(50);
    // Progress arrives every 200 ms; collect replies with exact totals.
    const collected = await Promise.all(this.#workers.map((w) => {
      const r = w.next('collected', READY_TIMEOUT_MS);
      w.send({ type: 'collect' });
      return r;
    }));
    const client = mergeClients(done.map((d) => d.stats));
    const worker = mergeWorkers(collected.map((c) => c.stats));
    const measuredSec = burst ? (nowUs() - startUs) / 1e6 : (Math.min(window.endUs, loadEndUs) - measureFromUs) / 1e6;
    return { window, measuredSec, client, worker, notCompleted: Math.max(0, accepted - worker.completed) };
  }

  #completed(): number {
    return this.#progress.reduce((a, p) => a + p.completed, 0);
  }

  close(): void {
    for (const c of [...this.#clients, ...this.#workers]) {
      try { c.send({ type: 'stop' }); } catch { /* already gone */ }
    }
    const all = [...this.#clients, ...this.#workers];
    setTimeout(() => all.forEach((c) => c.kill()), 2_000).unref();
  }
}

/** One client's part of the load: rates and counts split evenly, open-loop sends interleaved. */
export function shareOf(mode: LoadMode, index: number, of: number): LoadMode {
  const part = (total: number): number => Math.floor(total / of) + (index < total % of ? 1 : 0);
  switch (mode.kind) {
    case 'closed': return { kind: 'closed', concurrency: Math.max(1, part(mode.concurrency)) };
    case 'burst': return { kind: 'burst', total: part(mode.total), concurrency: Math.max(1, part(mode.concurrency)) };
    case 'open': {
      const ratePerSec = mode.ratePerSec / of;
      return { kind: 'open', ratePerSec, offsetUs: mode.offsetUs + (index * 1e6) / mode.ratePerSec };
    }
  }
}

function mergeClients(all: ClientStats[]): PhaseOutcome['client'] {
  const runWfUs = new Histogram();
  const getWfRunUs = new Histogram();
  const errors: Record<string, number> = {};
  const starts: Array<[string, number]> = [];
  let runs = 0, accepted = 0, gets = 0, skipped = 0;
  for (const s of all) {
    runWfUs.merge(s.runWfUs);
    getWfRunUs.merge(s.getWfRunUs);
    runs += s.runs; accepted += s.accepted; gets += s.gets; skipped += s.skipped;
    for (const [k, v] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + v;
    for (const st of s.starts) starts.push(st);
  }
  return { runs, accepted, gets, skipped, errors, starts, runWfUs, getWfRunUs };
}

function mergeWorkers(all: WorkerStats[]): PhaseOutcome['worker'] {
  const deliverUs = new Histogram();
  const hopUs = new Histogram();
  const completeUs = new Histogram();
  const series = new Map<number, Histogram>();
  const out = { tasks: 0, tasksInWindow: 0, completed: 0, completedInWindow: 0, verified: 0 };
  const reportErrors: Record<string, number> = {};
  const verifiedStatuses: Record<string, number> = {};
  const runs: Array<[string, number, number]> = [];
  for (const s of all) {
    deliverUs.merge(s.deliverUs);
    hopUs.merge(s.hopUs);
    completeUs.merge(s.completeUs);
    for (const [sec, snap] of s.series) {
      let h = series.get(sec);
      if (h === undefined) series.set(sec, (h = new Histogram()));
      h.merge(snap);
    }
    out.tasks += s.tasks; out.tasksInWindow += s.tasksInWindow; out.completed += s.completed;
    out.completedInWindow += s.completedInWindow; out.verified += s.verified;
    for (const [k, v] of Object.entries(s.reportErrors)) reportErrors[k] = (reportErrors[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.verifiedStatuses)) verifiedStatuses[k] = (verifiedStatuses[k] ?? 0) + v;
    for (const r of s.runs) runs.push(r);
  }
  const sortedSeries = [...series.entries()].sort((a, b) => a[0] - b[0]);
  return { ...out, reportErrors, verifiedStatuses, runs, deliverUs, hopUs, completeUs, series: sortedSeries };
}
