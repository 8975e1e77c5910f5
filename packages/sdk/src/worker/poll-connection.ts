import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { PollTaskRequest, PollTaskResponse, ScheduledTask } from '@filly/proto';
import type { LittleHorseClient } from '../client/client.ts';

export type ConnectionState = 'idle' | 'open' | 'draining' | 'dead' | 'closed';

export interface PollConnectionDeps {
  readonly request: PollTaskRequest;
  /** Executes and reports one task; the credit it used is free again when this settles. */
  readonly onTask: (task: ScheduledTask, conn: PollConnection) => Promise<void>;
  /** Called once when the stream ends or fails while it should have been open. */
  readonly onDead: (conn: PollConnection, err: unknown) => void;
}

/**
 * One PollTask stream to one server host. Each free credit is one outstanding
 * PollTaskRequest; the server answers every request with exactly one response (a task or
 * nothing). A credit stays used while its task runs and is re-offered (a new request)
 * only after the task was executed and reported, so requests in flight plus tasks
 * running never exceed `credits`.
 */
export class PollConnection {
  readonly client: LittleHorseClient;
  readonly hostKey: string;
  readonly #deps: PollConnectionDeps;
  #stream: ClientDuplexStream<PollTaskRequest, PollTaskResponse> | undefined;
  #state: ConnectionState = 'idle';
  #credits: number;
  #outstanding = 0;
  #running = 0;
  #requestsSent = 0;

  constructor(client: LittleHorseClient, hostKey: string, credits: number, deps: PollConnectionDeps) {
    this.client = client;
    this.hostKey = hostKey;
    this.#credits = credits;
    this.#deps = deps;
  }

  get state(): ConnectionState {
    return this.#state;
  }
  get outstandingPolls(): number {
    return this.#outstanding;
  }
  get runningTasks(): number {
    return this.#running;
  }
  get requestsSent(): number {
    return this.#requestsSent;
  }

  /** Opens (or re-opens after a failure) the stream and offers all free credits. */
  async open(): Promise<void> {
    if (this.#state === 'open' || this.#state === 'draining' || this.#state === 'closed') return;
    this.#state = 'open';
    let stream: ClientDuplexStream<PollTaskRequest, PollTaskResponse>;
    try {
      stream = await this.client.openPollTaskStream();
    } catch (err) {
      this.#markDead(undefined, err);
      return;
    }
    if (this.#state !== 'open') {
      stream.cancel();
      return;
    }
    this.#stream = stream;
    this.#outstanding = 0;
    stream.on('data', (resp: PollTaskResponse) => this.#onResponse(stream, resp));
    stream.on('error', (err: unknown) => this.#markDead(stream, err));
    stream.on('end', () => this.#markDead(stream, new Error('server ended the PollTask stream')));
    this.#fill();
  }

  setCredits(credits: number): void {
    if (!Number.isInteger(credits) || credits < 1) throw new Error(`credits must be a positive integer, got ${credits}`);
    this.#credits = credits;
    this.#fill();
  }

  /** Stops asking for tasks: half-closes the stream; answers to polls already sent are still executed. */
  drain(): void {
    if (this.#state !== 'open') return;
    this.#state = 'draining';
    this.#stream?.end();
  }

  /** Tears the stream and the channel down. Running tasks are not interrupted. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.cancel();
    this.client.close();
  }

  #onResponse(stream: ClientDuplexStream<PollTaskRequest, PollTaskResponse>, resp: PollTaskResponse): void {
    if (stream !== this.#stream) return;
    if (this.#outstanding <= 0) {
      // More answers than requests breaks the protocol; the stream cannot be trusted.
      this.#markDead(stream, new Error('PollTask response without an outstanding request'));
      return;
    }
    this.#outstanding--;
    const task = resp.result;
    if (task === undefined) {
      this.#fill();
      return;
    }
    this.#running++;
    void this.#deps
      .onTask(task, this)
      .catch(() => undefined)
      .finally(() => {
        this.#running--;
        this.#fill();
      });
  }

  #fill(): void {
    const stream = this.#stream;
    if (this.#state !== 'open' || stream === undefined) return;
    // Bounded by credits: each iteration raises #outstanding by one.
    while (this.#outstanding + this.#running < this.#credits) {
      this.#outstanding++;
      this.#requestsSent++;
      stream.write(this.#deps.request);
    }
  }

  #markDead(stream: ClientDuplexStream<PollTaskRequest, PollTaskResponse> | undefined, err: unknown): void {
    if (stream !== undefined && stream !== this.#stream) return;
    this.#stream = undefined;
    this.#outstanding = 0;
    stream?.cancel();
    if (this.#state === 'open') {
      this.#state = 'dead';
      this.#deps.onDead(this, err);
    } else if (this.#state === 'draining') {
      this.#state = 'dead';
    }
  }
}
