import {
  Metadata,
  status,
  type CallOptions as GrpcCallOptions,
  type ClientDuplexStream,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  LittleHorseClient as GrpcLittleHorseClient,
  LittleHorseService,
  type PollTaskRequest,
  type PollTaskResponse,
} from '@filly/proto';
import { isResolvedConfig, loadConfig, type LHConfig, type LoadConfigOptions } from './config.ts';
import { channelCredentials, channelOptions } from './channel.ts';
import { OAuthTokenSource } from './oauth.ts';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  isNotSent,
  isResourceExhausted,
  isServiceError,
  sleepMs,
  type RetryPolicy,
} from './retry-policy.ts';
import {
  UNARY_METHOD_NAMES,
  type CallOptions,
  type RequestOf,
  type ResponseOf,
  type UnaryMethodName,
  type UnaryRpcs,
} from './rpc-types.ts';

export interface ClientOptions {
  /** Connect to this host instead of config.apiHost (workers poll several hosts). */
  readonly host?: string;
  readonly port?: number;
  readonly retryPolicy?: RetryPolicy;
  /** Shared token source, so per-host clients of one worker reuse one token. */
  readonly tokenSource?: OAuthTokenSource;
}

// The promise methods are attached in the constructor from the service definition; this
// interface merges their exact types into the class.
export interface LittleHorseClient extends UnaryRpcs {}

/**
 * A promise client for every LittleHorse RPC. Each unary RPC is a method named as in the
 * generated service (`client.runWf(req)`, `client.getWfRun(id)`, ...), taking the exact
 * request message and an optional `{ timeoutMs, signal }`.
 */
/** Attempts for a call that never reached a server (see isNotSent): about 3 s of backoff in all. */
const NOT_SENT_ATTEMPTS = 6;

export class LittleHorseClient {
  readonly config: LHConfig;
  readonly address: string;
  readonly #grpc: GrpcLittleHorseClient;
  readonly #retryPolicy: RetryPolicy;
  readonly #tokens: OAuthTokenSource | undefined;
  #closed = false;

  constructor(config: LHConfig | LoadConfigOptions = {}, options: ClientOptions = {}) {
    this.config = isResolvedConfig(config) ? config : loadConfig(config);
    const host = options.host ?? this.config.apiHost;
    const port = options.port ?? this.config.apiPort;
    this.address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.#grpc = new GrpcLittleHorseClient(this.address, channelCredentials(this.config), channelOptions(this.config));
    this.#retryPolicy = this.config.resourceExhaustedRetry
      ? (options.retryPolicy ?? DEFAULT_RETRY_POLICY)
      : { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 };
    this.#tokens =
      options.tokenSource ?? (this.config.oauth !== undefined ? new OAuthTokenSource(this.config.oauth) : undefined);
    for (const name of UNARY_METHOD_NAMES) {
      Object.defineProperty(this, name, {
        value: (request: never, opts?: CallOptions) => this.call(name, request, opts),
        enumerable: false,
      });
    }
  }

  /** A client for another host of the same cluster, sharing settings and OAuth tokens. */
  forHost(host: string, port: number): LittleHorseClient {
    return new LittleHorseClient(this.config, {
      host,
      port,
      retryPolicy: this.#retryPolicy,
      ...(this.#tokens !== undefined ? { tokenSource: this.#tokens } : {}),
    });
  }

  /** Calls a unary RPC by name. */
  async call<K extends UnaryMethodName>(
    method: K,
    request: RequestOf<K>,
    options: CallOptions = {},
  ): Promise<ResponseOf<K>> {
    const deadlineMs = options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : undefined;
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#callOnce(method, request, deadlineMs, options.signal);
      } catch (err) {
        if (!refreshedToken && this.#tokens !== undefined && isServiceError(err) && err.code === status.UNAUTHENTICATED) {
          refreshedToken = true;
          this.#tokens.invalidate();
          continue;
        }
        const attemptsAllowed = isResourceExhausted(err) ? this.#retryPolicy.maxAttempts : isNotSent(err) ? NOT_SENT_ATTEMPTS : 1;
        if (attempt >= attemptsAllowed) throw err;
        const delayMs = backoffDelayMs(this.#retryPolicy, attempt);
        if (deadlineMs !== undefined && Date.now() + delayMs >= deadlineMs) throw err;
        await sleepMs(delayMs, options.signal);
      }
    }
  }

  /** Opens the PollTask bidi stream (used by the task worker). */
  async openPollTaskStream(): Promise<ClientDuplexStream<PollTaskRequest, PollTaskResponse>> {
    this.#assertOpen();
    const metadata = await this.#metadata();
    return this.#grpc.pollTask(metadata);
  }

  /** The underlying generated grpc-js client, for what this wrapper does not cover. */
  get grpcClient(): GrpcLittleHorseClient {
    return this.#grpc;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#grpc.close();
  }

  async #callOnce<K extends UnaryMethodName>(
    method: K,
    request: RequestOf<K>,
    deadlineMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ResponseOf<K>> {
    this.#assertOpen();
    signal?.throwIfAborted();
    const metadata = await this.#metadata();
    const def = LittleHorseService[method];
    const callOptions: Partial<GrpcCallOptions> = deadlineMs !== undefined ? { deadline: deadlineMs } : {};
    // The service definition is indexed by a union key here, so its serializer types
    // collapse to an intersection; the method name ties request and response together.
    const serialize = def.requestSerialize as (value: RequestOf<K>) => Buffer;
    const deserialize = def.responseDeserialize as (value: Buffer) => ResponseOf<K>;
    return new Promise<ResponseOf<K>>((resolve, reject) => {
      const call = this.#grpc.makeUnaryRequest(
        def.path,
        serialize,
        deserialize,
        request,
        metadata,
        callOptions,
        (err: ServiceError | null, value?: ResponseOf<K>) => {
          signal?.removeEventListener('abort', onAbort);
          if (err !== null) reject(err);
          else if (value === undefined) reject(new Error(`${method}: empty response`));
          else resolve(value);
        },
      );
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async #metadata(): Promise<Metadata> {
    const md = new Metadata();
    if (this.config.tenantId !== undefined) md.set('tenantid', this.config.tenantId);
    if (this.#tokens !== undefined) md.set('authorization', `Bearer ${await this.#tokens.token()}`);
    return md;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('LittleHorseClient is closed');
  }
}
