import { status } from '@grpc/grpc-js';
import type { LHHostInfo, ReportTaskRun, ScheduledTask, TaskDef } from '@filly/proto';
import { LittleHorseClient } from '../client/client.ts';
import type { LHConfig, LoadConfigOptions } from '../client/config.ts';
import { isServiceError, sleepMs } from '../client/retry-policy.ts';
import { PollConnection } from './poll-connection.ts';
import { buildPutTaskDefRequest, taskDefMismatches, type TaskDefinition } from './task-definition.ts';
import { abandonedReport, executeTask } from './task-executor.ts';
import { splitCredits } from './credit-split.ts';

export interface WorkerLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface TaskWorkerOptions {
  /** Tasks executed at once by this worker, across all hosts (its PollTask credits). Default: LHW_NUM_WORKER_THREADS, else 8. */
  readonly concurrency?: number;
  /** RegisterTaskWorker period. Default 15 s. */
  readonly heartbeatIntervalMs?: number;
  /** First retry delay of a failed heartbeat; doubles up to heartbeatIntervalMs. Default 500 ms. */
  readonly heartbeatRetryBaseMs?: number;
  /** How long stop() waits for running tasks. Default 30 s. */
  readonly stopTimeoutMs?: number;
  /** Attempts to deliver one ReportTask. Default 5. */
  readonly reportMaxAttempts?: number;
  /** First delay between report attempts; doubles, capped at 5 s. Default 500 ms. */
  readonly reportRetryBaseMs?: number;
  /** Deadline of each RegisterTaskWorker / ReportTask / GetTaskDef call. Default 10 s. */
  readonly rpcTimeoutMs?: number;
  readonly logger?: WorkerLogger;
}

const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 1024;
const MAX_HOSTS = 256;
const REPORT_MAX_DELAY_MS = 5_000;

const consoleLogger: WorkerLogger = {
  info: () => undefined,
  warn: (m) => console.warn(`[LHTaskWorker] ${m}`),
  error: (m) => console.error(`[LHTaskWorker] ${m}`),
};

interface RunningTask {
  readonly scheduled: ScheduledTask;
  readonly conn: PollConnection;
  settled: boolean;
}

/**
 * Executes one TaskDef's tasks, following the LittleHorse worker protocol: GetTaskDef at
 * start, a RegisterTaskWorker heartbeat that names the hosts to poll, one PollTask stream
 * per host with one request per free credit, and a ReportTask (retried) per attempt.
 */
export class LHTaskWorker {
  readonly task: TaskDefinition;
  readonly client: LittleHorseClient;
  readonly taskWorkerId: string;
  readonly concurrency: number;
  readonly #opts: Required<Omit<TaskWorkerOptions, 'concurrency'>>;
  readonly #ownsClient: boolean;
  readonly #connections = new Map<string, PollConnection>();
  readonly #running = new Map<string, RunningTask>();
  readonly #idleWaiters: (() => void)[] = [];
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #heartbeatDueMs = Infinity;
  #heartbeatInFlight: Promise<void> | undefined;
  #heartbeatFailures = 0;
  #registeredTaskDef: TaskDef | undefined;
  #taskSeq = 0;

  constructor(
    task: TaskDefinition,
    config: LittleHorseClient | LHConfig | LoadConfigOptions = {},
    options: TaskWorkerOptions = {},
  ) {
    this.task = task;
    this.#ownsClient = !(config instanceof LittleHorseClient);
    this.client = config instanceof LittleHorseClient ? config : new LittleHorseClient(config);
    this.taskWorkerId = this.client.config.taskWorkerId;
    this.concurrency = options.concurrency ?? this.client.config.numWorkerThreads ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1 || this.concurrency > MAX_CONCURRENCY) {
      throw new Error(`concurrency must be an integer in 1..${MAX_CONCURRENCY}`);
    }
    const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
    this.#opts = {
      heartbeatIntervalMs,
      heartbeatRetryBaseMs: Math.min(options.heartbeatRetryBaseMs ?? 500, heartbeatIntervalMs),
      stopTimeoutMs: options.stopTimeoutMs ?? 30_000,
      reportMaxAttempts: Math.max(1, options.reportMaxAttempts ?? 5),
      reportRetryBaseMs: options.reportRetryBaseMs ?? 500,
      rpcTimeoutMs: options.rpcTimeoutMs ?? 10_000,
      logger: options.logger ?? consoleLogger,
    };
  }

  get runningTasks(): number {
    return this.#running.size;
  }

  /** Hosts currently polled, as "host:port". */
  get hosts(): string[] {
    return [...this.#connections.keys()];
  }

  /** Creates (or updates) the TaskDef on the server from this task's declaration. */
  async registerTaskDef(): Promise<TaskDef> {
    return this.client.putTaskDef(buildPutTaskDefRequest(this.task), { timeoutMs: this.#opts.rpcTimeoutMs });
  }

  /** True when the server knows this TaskDef. */
  async doesTaskDefExist(): Promise<boolean> {
    try {
      await this.client.getTaskDef({ name: this.task.name }, { timeoutMs: this.#opts.rpcTimeoutMs });
      return true;
    } catch (err) {
      if (isServiceError(err) && err.code === status.NOT_FOUND) return false;
      throw err;
    }
  }

  /**
   * Checks the TaskDef exists and matches this definition, then starts heartbeating and
   * polling. Resolves after the first heartbeat attempt; if that failed, it keeps
   * retrying in the background.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`worker already ${this.#state}`);
    let def: TaskDef;
    try {
      def = await this.client.getTaskDef({ name: this.task.name }, { timeoutMs: this.#opts.rpcTimeoutMs });
    } catch (err) {
      if (isServiceError(err) && err.code === status.NOT_FOUND) {
        throw new Error(`TaskDef "${this.task.name}" is not registered; call registerTaskDef() first`);
      }
      throw err;
    }
    const problems = taskDefMismatches(this.task, def);
    if (problems.length > 0) {
      throw new Error(`TaskDef "${this.task.name}" on the server differs from this task: ${problems.join('; ')}`);
    }
    this.#registeredTaskDef = def;
    this.#state = 'running';
    await this.#heartbeat();
  }

  /**
   * Stops polling, waits up to stopTimeoutMs for running tasks to finish and be
   * reported, reports the ones still running as failed (so the server can retry them
   * at once instead of waiting for their timeout), then closes every connection.
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    await this.#heartbeatInFlight;
    for (const conn of this.#connections.values()) conn.drain();
    if (wasRunning) await this.#waitIdle(this.#opts.stopTimeoutMs);
    const leftovers = [...this.#running.values()].filter((r) => !r.settled);
    await Promise.all(
      leftovers.map((r) => {
        r.settled = true;
        return this.#report(abandonedReport(r.scheduled, 'task worker stopped before the task finished'), r.conn);
      }),
    );
    for (const conn of this.#connections.values()) conn.close();
    this.#connections.clear();
    if (this.#ownsClient) this.client.close();
    this.#state = 'stopped';
  }

  get registeredTaskDef(): TaskDef | undefined {
    return this.#registeredTaskDef;
  }

  #scheduleHeartbeat(delayMs: number): void {
    if (this.#state !== 'running') return;
    const dueMs = Date.now() + delayMs;
    if (this.#heartbeatTimer !== undefined && dueMs >= this.#heartbeatDueMs) return;
    clearTimeout(this.#heartbeatTimer);
    this.#heartbeatDueMs = dueMs;
    this.#heartbeatTimer = setTimeout(() => {
      this.#heartbeatTimer = undefined;
      this.#heartbeatDueMs = Infinity;
      void this.#heartbeat();
    }, delayMs);
  }

  async #heartbeat(): Promise<void> {
    if (this.#heartbeatInFlight !== undefined) return this.#heartbeatInFlight;
    this.#heartbeatInFlight = this.#heartbeatOnce().finally(() => {
      this.#heartbeatInFlight = undefined;
    });
    return this.#heartbeatInFlight;
  }

  async #heartbeatOnce(): Promise<void> {
    if (this.#state !== 'running') return;
    let nextDelayMs = this.#opts.heartbeatIntervalMs;
    try {
      const resp = await this.client.registerTaskWorker(
        { taskWorkerId: this.taskWorkerId, taskDefId: { name: this.task.name } },
        { timeoutMs: this.#opts.rpcTimeoutMs },
      );
      this.#heartbeatFailures = 0;
      if (resp.isClusterHealthy === false) {
        this.#opts.logger.warn('server reports the cluster as unhealthy; keeping current connections');
      } else {
        await this.#reconcile(resp.yourHosts);
      }
    } catch (err) {
      this.#heartbeatFailures++;
      nextDelayMs = Math.min(
        this.#opts.heartbeatRetryBaseMs * 2 ** Math.min(this.#heartbeatFailures - 1, 20),
        this.#opts.heartbeatIntervalMs,
      );
      this.#opts.logger.warn(`heartbeat failed (${describe(err)}); retrying in ${nextDelayMs} ms`);
    }
    this.#scheduleHeartbeat(nextDelayMs);
  }

  async #reconcile(hosts: readonly LHHostInfo[]): Promise<void> {
    if (this.#state !== 'running') return;
    if (hosts.length === 0) {
      this.#opts.logger.warn('heartbeat returned no hosts; keeping current connections');
      return;
    }
    const wanted = new Map(hosts.slice(0, MAX_HOSTS).map((h) => [`${h.host}:${h.port}`, h]));
    for (const [key, conn] of this.#connections) {
      if (wanted.has(key)) continue;
      this.#connections.delete(key);
      conn.drain();
      void this.#closeWhenIdle(conn);
    }
    const keys = [...wanted.keys()].sort();
    const shares = splitCredits(this.concurrency, keys.length);
    if (keys.length > this.concurrency) {
      this.#opts.logger.warn(`${keys.length} hosts but concurrency ${this.concurrency}: polling each host once`);
    }
    const opening: Promise<void>[] = [];
    keys.forEach((key, i) => {
      const credits = shares[i] ?? 1;
      let conn = this.#connections.get(key);
      if (conn === undefined) {
        const info = wanted.get(key) as LHHostInfo;
        conn = new PollConnection(this.client.forHost(info.host, info.port), key, credits, {
          request: {
            taskDefId: { name: this.task.name },
            clientId: this.taskWorkerId,
            taskWorkerVersion: this.client.config.taskWorkerVersion,
          },
          onTask: (t, c) => this.#runTask(t, c),
          onDead: (c, err) => this.#onConnectionDead(c, err),
        });
        this.#connections.set(key, conn);
      } else {
        conn.setCredits(credits);
      }
      if (conn.state === 'idle' || conn.state === 'dead') opening.push(conn.open());
    });
    await Promise.all(opening);
  }

  #onConnectionDead(conn: PollConnection, err: unknown): void {
    if (this.#state !== 'running') return;
    this.#opts.logger.warn(`PollTask stream to ${conn.hostKey} ended (${describe(err)}); reconnecting on heartbeat`);
    this.#scheduleHeartbeat(this.#opts.heartbeatRetryBaseMs);
  }

  async #runTask(scheduled: ScheduledTask, conn: PollConnection): Promise<void> {
    const key = `${scheduled.taskRunId?.taskGuid ?? '?'}#${scheduled.attemptNumber}#${this.#taskSeq++}`;
    const entry: RunningTask = { scheduled, conn, settled: false };
    this.#running.set(key, entry);
    try {
      const report = await executeTask(this.task, scheduled, this.taskWorkerId);
      if (entry.settled) return;
      entry.settled = true;
      await this.#report(report, conn);
    } finally {
      this.#running.delete(key);
      if (this.#running.size === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  /** Sends a report, first to the host the task came from, then (on retries) to the bootstrap host. */
  async #report(report: ReportTaskRun, conn: PollConnection): Promise<void> {
    const attempts = this.#opts.reportMaxAttempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const client = attempt === 1 && conn.state !== 'closed' ? conn.client : this.client;
      try {
        await client.reportTask(report, { timeoutMs: this.#opts.rpcTimeoutMs });
        return;
      } catch (err) {
        if (attempt === attempts) {
          this.#opts.logger.error(`giving up reporting task ${report.taskRunId?.taskGuid}: ${describe(err)}`);
          return;
        }
        const delayMs = Math.min(this.#opts.reportRetryBaseMs * 2 ** (attempt - 1), REPORT_MAX_DELAY_MS);
        this.#opts.logger.warn(`report of task ${report.taskRunId?.taskGuid} failed (${describe(err)}); retrying`);
        await sleepMs(delayMs);
      }
    }
  }

  async #waitIdle(timeoutMs: number): Promise<void> {
    if (this.#running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.#idleWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  async #closeWhenIdle(conn: PollConnection): Promise<void> {
    // Bounded: a removed host's tasks get stopTimeoutMs to finish like on stop().
    const deadline = Date.now() + this.#opts.stopTimeoutMs;
    while (conn.runningTasks > 0 && Date.now() < deadline) await sleepMs(100);
    conn.close();
  }
}

function describe(err: unknown): string {
  if (isServiceError(err)) return `${status[err.code] ?? err.code}: ${err.details}`;
  return err instanceof Error ? err.message : String(err);
}
