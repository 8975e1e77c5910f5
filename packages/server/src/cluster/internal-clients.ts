// One gRPC client per other member of the cluster, keyed by instanceId, for the internal API.
// A client is created on first use and closed when its member leaves the ClusterView (or moves to
// another address). Every unary call carries a deadline.
import { credentials, Metadata, status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { FillyInternalClient, type InternalScanResponse } from '@filly/proto/internal';
import type { CommandOutcome } from '../engine/engine-api.ts';
import type { Code } from '../processor/api-error.ts';
import type { ClusterView, MemberInfo } from './cluster-view.ts';
import { DEFAULT_INTERNAL_API_LIMITS } from './internal-server.ts';

export interface InternalClientsOptions {
  /** Deadline of GetKey and Scan calls. */
  callDeadlineMs?: number;
  /** Added to a WaitForCommand's own timeout for its deadline (network and queueing). */
  waitSlackMs?: number;
  maxMessageBytes?: number;
  /** Insecure by default: the internal API lives on a private network. */
  channelCredentials?: ChannelCredentials;
}

const DEFAULT_CALL_DEADLINE_MS = 10_000;
const DEFAULT_WAIT_SLACK_MS = 5_000;

/** Rows of one Scan call; `truncated` = the callee had more rows than fitted in one response. */
export type ScanPage = Pick<InternalScanResponse, 'rows' | 'truncated'>;

export interface WatchHandlers {
  /** The callee registered the watch: everything it commits from now on is delivered. */
  onSubscribed(): void;
  onDetail(detail: string): void;
  /** The stream ended: OK (`err` undefined) when the callee stopped serving the partition. */
  onEnd(err: ServiceError | undefined): void;
}

interface Entry {
  address: string;
  client: FillyInternalClient;
}

export const addressOf = (m: MemberInfo): string => `${m.internalHost}:${m.internalPort}`;

export class InternalClients {
  readonly #view: ClusterView;
  readonly #clients = new Map<string, Entry>();
  readonly #callDeadlineMs: number;
  readonly #waitSlackMs: number;
  readonly #maxMessageBytes: number;
  readonly #credentials: ChannelCredentials;
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(view: ClusterView, options: InternalClientsOptions = {}) {
    this.#view = view;
    this.#callDeadlineMs = options.callDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS;
    this.#waitSlackMs = options.waitSlackMs ?? DEFAULT_WAIT_SLACK_MS;
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_INTERNAL_API_LIMITS.maxMessageBytes;
    this.#credentials = options.channelCredentials ?? credentials.createInsecure();
    this.#unsubscribe = view.onChange(() => this.#prune());
  }

  /** Members with an open client now (tests, metrics). */
  connectedMembers(): string[] {
    return [...this.#clients.keys()].sort();
  }

  clientFor(member: MemberInfo): FillyInternalClient {
    if (this.#closed) throw new Error('the internal API clients are closed');
    const address = addressOf(member);
    const existing = this.#clients.get(member.instanceId);
    if (existing !== undefined && existing.address === address) return existing.client;
    existing?.client.close();
    const client = new FillyInternalClient(address, this.#credentials, {
      'grpc.max_receive_message_length': this.#maxMessageBytes,
      'grpc.max_send_message_length': this.#maxMessageBytes,
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      // Fail fast on a dead member instead of queueing calls until their deadline.
      'grpc.enable_retries': 0,
    });
    this.#clients.set(member.instanceId, { address, client });
    return client;
  }

  #prune(): void {
    const live = new Map(this.#view.members().map((m) => [m.instanceId, addressOf(m)]));
    for (const [id, entry] of this.#clients) {
      if (live.get(id) !== entry.address) {
        entry.client.close();
        this.#clients.delete(id);
      }
    }
  }

  #deadline(ms: number): Date {
    return new Date(Date.now() + ms);
  }

  getKey(member: MemberInfo, partition: number, key: string): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => {
      this.clientFor(member).getKey({ partition, key }, new Metadata(), { deadline: this.#deadline(this.#callDeadlineMs) },
        (err, res) => (err ? reject(err) : resolve(res.value === undefined ? undefined : new Uint8Array(res.value))));
    });
  }

  scan(member: MemberInfo, partition: number, prefix: string, afterKey: string | undefined, limit: number): Promise<ScanPage> {
    return new Promise((resolve, reject) => {
      this.clientFor(member).scan({ partition, prefix, afterKey, limit }, new Metadata(), { deadline: this.#deadline(this.#callDeadlineMs) },
        (err, res) => (err ? reject(err) : resolve({ rows: res.rows, truncated: res.truncated })));
    });
  }

  /** The owner's answer; rejects with the gRPC error of the call (FAILED_PRECONDITION: not the owner). */
  waitForCommand(member: MemberInfo, partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome> {
    return new Promise((resolve, reject) => {
      this.clientFor(member).waitForCommand({ partition, commandId, timeoutMs: BigInt(Math.max(0, Math.floor(timeoutMs))) }, new Metadata(),
        { deadline: this.#deadline(timeoutMs + this.#waitSlackMs) },
        (err, res) => {
          if (err) reject(err);
          else if (res.ok) resolve({ ok: true, response: res.response === undefined ? undefined : new Uint8Array(res.response) });
          else resolve({ ok: false, code: res.code as Code, message: res.message });
        });
    });
  }

  /** Opens a Watch stream at `member`; returns the function that cancels it (onEnd is not called then). */
  watch(member: MemberInfo, partition: number, topic: string, handlers: WatchHandlers): () => void {
    const stream = this.clientFor(member).watch({ partition, topic });
    let done = false;
    const end = (err: ServiceError | undefined): void => {
      if (done) return;
      done = true;
      handlers.onEnd(err);
    };
    stream.on('data', (event: { detail: string; subscribed: boolean }) => {
      if (done) return;
      if (event.subscribed) handlers.onSubscribed();
      else handlers.onDetail(event.detail);
    });
    stream.on('error', (err: ServiceError) => end(err));
    stream.on('status', (s: { code: number }) => {
      if (s.code === status.OK) end(undefined);
    });
    stream.on('end', () => end(undefined));
    return () => {
      if (done) return;
      done = true;
      stream.cancel();
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    for (const entry of this.#clients.values()) entry.client.close();
    this.#clients.clear();
  }
}
