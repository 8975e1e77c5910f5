// The worker's side of discovery, as the SDKs do it: RegisterTaskWorker names the instances to
// poll (in kafka mode every member: a task is handed out only by the instance that owns its
// partition), and the worker keeps one PollTask stream per instance, repeating the call as a
// heartbeat. Credits are split over the instances the cluster is expected to have.
import type { LHHostInfo, LittleHorseClient, PollTaskRequest, PollTaskResponse, RegisterTaskWorkerResponse, ScheduledTask } from '@filly/proto';
import type { ClientDuplexStream, Metadata, ServiceError } from '@grpc/grpc-js';
import { sleepMs } from '../clock.ts';
import { grpcClient } from './ipc.ts';
import { RawUnaryClient } from './raw-unary.ts';

const RPC_DEADLINE_MS = 10_000;
const REGISTER_RETRY_MS = 250;
/** More hosts than this in one answer is a broken server, not a cluster. */
const MAX_HOSTS = 64;

export class HostConnection {
  readonly key: string;
  readonly client: LittleHorseClient;
  /** For reports: a lighter path than grpc-js for the many unary calls (raw-unary.ts). */
  readonly unary: RawUnaryClient;
  readonly #stream: ClientDuplexStream<PollTaskRequest, PollTaskResponse>;
  readonly #request: PollTaskRequest;
  #closed = false;

  constructor(key: string, tenant: string | undefined, metadata: Metadata, request: PollTaskRequest, onTask: (t: ScheduledTask, c: HostConnection) => void, onError: (c: HostConnection, e: ServiceError) => void) {
    this.key = key;
    this.client = grpcClient(key);
    this.unary = new RawUnaryClient(key, tenant);
    this.#request = request;
    this.#stream = this.client.pollTask(metadata);
    this.#stream.on('data', (res: PollTaskResponse) => {
      // An empty answer returns the credit: ask again at once.
      if (res.result === undefined) this.ask();
      else onTask(res.result, this);
    });
    this.#stream.on('error', (err: ServiceError) => {
      if (!this.#closed) onError(this, err);
    });
  }

  /** One credit: the server answers with one task (or nothing) when it has one. */
  ask(): void {
    if (!this.#closed) this.#stream.write(this.#request);
  }

  close(): void {
    this.#closed = true;
    this.#stream.cancel();
    this.client.close();
    this.unary.close();
  }
}

export interface PollHostsOptions {
  tenant: string | undefined;
  metadata: Metadata;
  taskDefName: string;
  clientId: string;
  /** Total credits of this process. */
  credits: number;
  /** The cluster's size: the credits are split this many ways. */
  expectHosts: number;
  onTask: (task: ScheduledTask, conn: HostConnection) => void;
  onStreamError: (conn: HostConnection, err: ServiceError) => void;
}

export class PollHosts {
  readonly #o: PollHostsOptions;
  readonly #bootstrap: LittleHorseClient;
  readonly #connections = new Map<string, HostConnection>();
  readonly #perHost: number;

  constructor(bootstrapAddress: string, o: PollHostsOptions) {
    if (!(Number.isInteger(o.expectHosts) && o.expectHosts >= 1 && o.expectHosts <= MAX_HOSTS)) throw new RangeError(`expectHosts must be 1..${MAX_HOSTS}`);
    this.#o = o;
    this.#bootstrap = grpcClient(bootstrapAddress);
    this.#perHost = Math.max(1, Math.ceil(o.credits / o.expectHosts));
  }

  hosts(): string[] {
    return [...this.#connections.keys()];
  }

  /** Registers until the answer names `expectHosts` instances (or the time runs out), polling each. */
  async start(timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      try {
        const hosts = await this.#register();
        if (hosts.length >= this.#o.expectHosts) {
          this.#connect(hosts);
          return this.hosts();
        }
        last = `RegisterTaskWorker named ${hosts.length} of ${this.#o.expectHosts} instances`;
      } catch (err) {
        last = `RegisterTaskWorker failed: ${(err as Error).message}`;
      }
      await sleepMs(REGISTER_RETRY_MS);
    }
    throw new Error(`worker could not find its instances within ${timeoutMs} ms: ${last}`);
  }

  /** The periodic heartbeat: registers again and polls any instance not polled yet. */
  async heartbeat(): Promise<void> {
    this.#connect(await this.#register());
  }

  close(): void {
    for (const c of this.#connections.values()) c.close();
    this.#connections.clear();
    this.#bootstrap.close();
  }

  #register(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.#bootstrap.registerTaskWorker(
        { taskWorkerId: this.#o.clientId, taskDefId: { name: this.#o.taskDefName } },
        this.#o.metadata,
        { deadline: new Date(Date.now() + RPC_DEADLINE_MS) },
        (err: ServiceError | null, res?: RegisterTaskWorkerResponse) => {
          if (err !== null || res === undefined) return reject(err ?? new Error('empty answer'));
          resolve(res.yourHosts.slice(0, MAX_HOSTS).map((h: LHHostInfo) => `${h.host}:${h.port}`));
        },
      );
    });
  }

  #connect(hosts: string[]): void {
    const o = this.#o;
    const request: PollTaskRequest = { taskDefId: { name: o.taskDefName }, clientId: o.clientId, taskWorkerVersion: 'filly-bench' };
    for (const key of hosts) {
      if (this.#connections.has(key) || this.#connections.size >= MAX_HOSTS) continue;
      const conn = new HostConnection(key, o.tenant, o.metadata, request, o.onTask, o.onStreamError);
      this.#connections.set(key, conn);
      for (let i = 0; i < this.#perHost; i++) conn.ask();
    }
  }
}
