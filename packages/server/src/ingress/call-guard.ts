// Admission in front of every rpc handler. Requests that did not decode, calls on connections
// beyond the connection limit, and load beyond the in-flight and stream limits are answered here,
// before any handler runs, so an overloaded server sheds work instead of queueing it in memory.
import type { ServerDuplexStream, ServerErrorResponse, ServerUnaryCall, ServiceDefinition, UntypedHandleCall, sendUnaryData } from '@grpc/grpc-js';
import type { Limits } from '../config/limits.ts';
import type { Logger } from '../logging.ts';
import { invalidArgument, type ApiError } from '../processor/api-error.ts';
import { isMalformed, malformedReason } from './malformed-request.ts';
import { RetryLaterError } from './retry-later.ts';
import { toServiceError } from './status.ts';
import { endStreamWithError } from './stream-status.ts';
import { NO_RPC_OBSERVER, type RpcObserver, type RpcRecorder } from '../metrics/rpc-observer.ts';

/** Long polls wait by design; they have their own bound (maxWorkflowEventWaiters). */
const LONG_POLL_METHODS = new Set(['awaitWorkflowEvent']);

export interface CallGuardOptions {
  limits: Limits;
  log: Logger;
  /** Whether the caller's connection is one beyond the connection limit. */
  isOverflowPeer: (peer: string) => boolean;
  /** Told the status and duration of every call, refusals included (metrics); default: nobody. */
  rpcs?: RpcObserver;
}

type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
type StreamHandler = (stream: ServerDuplexStream<unknown, unknown>) => void;

export class CallGuard {
  readonly #opts: CallGuardOptions;
  #inFlight = 0;
  #streams = 0;

  constructor(opts: CallGuardOptions) {
    this.#opts = opts;
  }

  get inFlightRequests(): number {
    return this.#inFlight;
  }

  get openStreams(): number {
    return this.#streams;
  }

  /** Wraps every handler of the implementation (keyed like the definition). */
  wrap(definition: ServiceDefinition, handlers: Record<string, UntypedHandleCall>): Record<string, UntypedHandleCall> {
    const out: Record<string, UntypedHandleCall> = {};
    for (const [method, def] of Object.entries(definition)) {
      const handler = handlers[method];
      if (handler === undefined) throw new Error(`no handler for ${method}`);
      const name = def.path.split('/').pop() ?? method;
      const recorder = (this.#opts.rpcs ?? NO_RPC_OBSERVER).forMethod(name);
      if (def.requestStream && def.responseStream) out[method] = this.#stream(name, handler as StreamHandler, recorder) as UntypedHandleCall;
      else if (!def.requestStream && !def.responseStream) out[method] = this.#unary(name, handler as UnaryHandler, !LONG_POLL_METHODS.has(method), recorder) as UntypedHandleCall;
      else out[method] = handler;
    }
    return out;
  }

  #unary(name: string, inner: UnaryHandler, counted: boolean, recorder: RpcRecorder): UnaryHandler {
    const { limits } = this.#opts;
    return (call, callback) => {
      const startMs = performance.now();
      const refusal = this.#overflowRefusal(call.getPeer());
      if (refusal) return refuse(recorder, startMs, callback, toServiceError(refusal, this.#opts.log, name));
      if (isMalformed(call.request)) return refuse(recorder, startMs, callback, toServiceError(invalidArgument(malformedReason(call.request)), this.#opts.log, name));
      if (counted && this.#inFlight >= limits.maxInFlightRequests) {
        const busy = new RetryLaterError(`The server is serving ${limits.maxInFlightRequests} requests at once (FILLY_MAX_IN_FLIGHT_REQUESTS); retry later.`);
        return refuse(recorder, startMs, callback, toServiceError(busy, this.#opts.log, name));
      }
      if (counted) this.#inFlight++;
      // One closure per call, as before: it releases the slot and records the call once.
      let finished = false;
      inner(call, (err, value, trailer, flags) => {
        if (!finished) {
          finished = true;
          if (counted) this.#inFlight--;
          recorder.finished(statusCodeOf(err), performance.now() - startMs);
        }
        callback(err, value, trailer, flags);
      });
    };
  }

  #stream(name: string, inner: StreamHandler, recorder: RpcRecorder): StreamHandler {
    const { limits } = this.#opts;
    return (stream) => {
      const refusal = this.#overflowRefusal(stream.getPeer())
        ?? (this.#streams >= limits.maxPollTaskStreams
          ? new RetryLaterError(`The server has ${limits.maxPollTaskStreams} ${name} streams open (FILLY_MAX_POLL_TASK_STREAMS); retry later or poll another server.`, 1_000)
          : undefined);
      if (refusal) {
        const err = toServiceError(refusal, this.#opts.log, name);
        recorder.opened(statusCodeOf(err));
        endStreamWithError(stream, err);
        return;
      }
      recorder.opened(0);
      this.#streams++;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        this.#streams--;
      };
      stream.once('close', release);
      stream.once('cancelled', release);
      inner(stream);
    };
  }

  #overflowRefusal(peer: string): ApiError | undefined {
    if (!this.#opts.isOverflowPeer(peer)) return undefined;
    return new RetryLaterError(`The server has reached its limit of ${this.#opts.limits.maxConnections} connections (FILLY_MAX_CONNECTIONS); retry later or use another server.`, 1_000);
  }
}

function refuse(recorder: RpcRecorder, startMs: number, callback: sendUnaryData<unknown>, err: ServerErrorResponse): void {
  recorder.finished(statusCodeOf(err), performance.now() - startMs);
  callback(err);
}

/** The status a unary answer carries: none means OK; an error without a code is UNKNOWN. */
function statusCodeOf(err: Parameters<sendUnaryData<unknown>>[0] | undefined): number {
  if (err === null || err === undefined) return 0;
  return typeof err.code === 'number' ? err.code : 2;
}
