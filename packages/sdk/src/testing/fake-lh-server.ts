import {
  Server,
  ServerCredentials,
  status,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  LittleHorseService,
  type LittleHorseServer,
  type PollTaskRequest,
  type PollTaskResponse,
  type RegisterTaskWorkerRequest,
  type RegisterTaskWorkerResponse,
  type ReportTaskRun,
  type ScheduledTask,
  type TaskDef,
  type TaskDefId,
  type Empty,
} from '@filly/proto';

/** Starts a gRPC server on 127.0.0.1 serving only the given LittleHorse methods. */
export async function startGrpcServer(
  handlers: Partial<LittleHorseServer>,
  port = 0,
): Promise<{ server: Server; port: number }> {
  const server = new Server({
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 1000,
  });
  server.addService(LittleHorseService, handlers as UntypedServiceImplementation);
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, p) =>
      err !== null ? reject(err) : resolve(p),
    );
  });
  return { server, port: bound };
}

type PollStream = ServerDuplexStream<PollTaskRequest, PollTaskResponse>;

interface StreamStats {
  requests: number;
  responses: number;
  ended: boolean;
}

/**
 * A stand-in for a LittleHorse server, just enough for the task-worker protocol:
 * GetTaskDef, RegisterTaskWorker, PollTask and ReportTask. It records what the worker
 * does so tests can check the protocol (one response per request, credit bounds).
 */
export class FakeTaskServer {
  readonly taskDefs = new Map<string, TaskDef>();
  readonly reports: ReportTaskRun[] = [];
  readonly streams: StreamStats[] = [];
  readonly heartbeats: RegisterTaskWorkerRequest[] = [];
  readonly metadataSeen: Record<string, string>[] = [];
  /** ReportTask calls still to fail with UNAVAILABLE before accepting. */
  failReports = 0;
  failedReportCalls = 0;
  /** Highest (unanswered polls + tasks handed out but not yet reported) seen. */
  maxInFlight = 0;
  port = 0;
  #server: Server | undefined;
  readonly #queue: ScheduledTask[] = [];
  readonly #parked: { stream: PollStream; stats: StreamStats }[] = [];
  #tasksSent = 0;
  readonly #reportWaiters: { count: number; resolve: () => void }[] = [];

  async start(port = 0): Promise<void> {
    const started = await startGrpcServer(this.#handlers(), port);
    this.#server = started.server;
    this.port = started.port;
  }

  /** Kills the server and every open stream (a crash, as seen by clients). */
  kill(): void {
    this.#server?.forceShutdown();
    this.#server = undefined;
    this.#parked.length = 0;
  }

  get openStreams(): number {
    return this.streams.filter((s) => !s.ended).length;
  }

  get parkedPolls(): number {
    return this.#parked.length;
  }

  enqueue(task: ScheduledTask): void {
    const waiting = this.#parked.shift();
    if (waiting !== undefined) this.#send(waiting.stream, waiting.stats, task);
    else this.#queue.push(task);
  }

  /** Resolves once `count` reports have been accepted in total. */
  waitForReports(count: number, timeoutMs = 5000): Promise<void> {
    if (this.reports.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.reports.length}/${count} reports`)), timeoutMs);
      this.#reportWaiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  #inFlight(): number {
    const unanswered = this.streams.reduce((n, s) => n + (s.ended ? 0 : s.requests - s.responses), 0);
    return unanswered + (this.#tasksSent - this.reports.length);
  }

  #send(stream: PollStream, stats: StreamStats, task: ScheduledTask | undefined): void {
    stats.responses++;
    if (task !== undefined) this.#tasksSent++;
    stream.write(task !== undefined ? { result: task } : {});
  }

  #handlers(): Partial<LittleHorseServer> {
    return {
      getTaskDef: (call: ServerUnaryCall<TaskDefId, TaskDef>, cb: sendUnaryData<TaskDef>) => {
        this.metadataSeen.push(flatten(call.metadata.getMap()));
        const def = this.taskDefs.get(call.request.name);
        if (def === undefined) cb({ code: status.NOT_FOUND, details: 'no such TaskDef' });
        else cb(null, def);
      },
      registerTaskWorker: (
        call: ServerUnaryCall<RegisterTaskWorkerRequest, RegisterTaskWorkerResponse>,
        cb: sendUnaryData<RegisterTaskWorkerResponse>,
      ) => {
        this.heartbeats.push(call.request);
        cb(null, { yourHosts: [{ host: '127.0.0.1', port: this.port }], isClusterHealthy: true });
      },
      reportTask: (call: ServerUnaryCall<ReportTaskRun, Empty>, cb: sendUnaryData<Empty>) => {
        if (this.failReports > 0) {
          this.failReports--;
          this.failedReportCalls++;
          cb({ code: status.UNAVAILABLE, details: 'try again' });
          return;
        }
        this.reports.push(call.request);
        cb(null, {});
        for (const w of [...this.#reportWaiters]) {
          if (this.reports.length >= w.count) {
            this.#reportWaiters.splice(this.#reportWaiters.indexOf(w), 1);
            w.resolve();
          }
        }
      },
      pollTask: (stream: PollStream) => {
        const stats: StreamStats = { requests: 0, responses: 0, ended: false };
        this.streams.push(stats);
        const finish = (): void => {
          if (stats.ended) return;
          stats.ended = true;
          for (let i = this.#parked.length - 1; i >= 0; i--) {
            if (this.#parked[i]?.stream === stream) this.#parked.splice(i, 1);
          }
        };
        stream.on('data', () => {
          stats.requests++;
          this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight());
          const task = this.#queue.shift();
          if (task !== undefined) this.#send(stream, stats, task);
          else this.#parked.push({ stream, stats });
        });
        stream.on('end', () => {
          finish();
          stream.end();
        });
        stream.on('cancelled', finish);
        stream.on('error', finish);
      },
    };
  }
}

function flatten(map: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = String(v);
  return out;
}
