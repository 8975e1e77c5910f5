// Rpc counts by method and status, and unary latency by method, as Prometheus metrics. Label
// children are created once per (method, code) and kept, so recording a call does no label
// hashing of our own and no allocation beyond what prom-client's observe does.
import { Counter, Histogram, type Registry } from 'prom-client';
import { RPC_BUCKETS_MS } from './metric-buckets.ts';
import type { RpcObserver, RpcRecorder } from './rpc-observer.ts';

export const RPC_METRIC_NAMES = {
  calls: 'filly_rpcs_total',
  latencyMs: 'filly_rpc_latency_ms',
} as const;

/** gRPC status names by code (0..16), for the `code` label. */
export const GRPC_CODE_NAMES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];
const UNKNOWN_CODE = 2;

export class RpcMetrics implements RpcObserver {
  readonly #calls: Counter<'method' | 'code'>;
  readonly #latencyMs: Histogram<'method'>;
  readonly #recorders = new Map<string, MethodRecorder>();

  constructor(registry: Registry) {
    this.#calls = new Counter({
      name: RPC_METRIC_NAMES.calls,
      help: 'Rpcs answered, by method and gRPC status code; a PollTask stream counts once, when it is accepted (OK) or refused.',
      labelNames: ['method', 'code'],
      registers: [registry],
    });
    this.#latencyMs = new Histogram({
      name: RPC_METRIC_NAMES.latencyMs,
      help: 'Milliseconds from the arrival of a unary rpc to its answer, by method (refusals included).',
      labelNames: ['method'],
      buckets: [...RPC_BUCKETS_MS],
      registers: [registry],
    });
  }

  forMethod(method: string): RpcRecorder {
    let recorder = this.#recorders.get(method);
    if (recorder === undefined) {
      recorder = new MethodRecorder(method, this.#calls, this.#latencyMs.labels(method));
      this.#recorders.set(method, recorder);
    }
    return recorder;
  }
}

class MethodRecorder implements RpcRecorder {
  readonly #method: string;
  readonly #calls: Counter<'method' | 'code'>;
  readonly #latencyMs: Histogram.Internal<'method'>;
  /** Indexed by status code; filled on first use so that unused codes make no series. */
  readonly #byCode: Array<Counter.Internal | undefined> = new Array<Counter.Internal | undefined>(GRPC_CODE_NAMES.length).fill(undefined);

  constructor(method: string, calls: Counter<'method' | 'code'>, latencyMs: Histogram.Internal<'method'>) {
    this.#method = method;
    this.#calls = calls;
    this.#latencyMs = latencyMs;
  }

  finished(code: number, elapsedMs: number): void {
    this.#count(code);
    if (Number.isFinite(elapsedMs)) this.#latencyMs.observe(elapsedMs > 0 ? elapsedMs : 0);
  }

  opened(code: number): void {
    this.#count(code);
  }

  #count(code: number): void {
    const i = Number.isInteger(code) && code >= 0 && code < GRPC_CODE_NAMES.length ? code : UNKNOWN_CODE;
    let counter = this.#byCode[i];
    if (counter === undefined) {
      counter = this.#calls.labels(this.#method, GRPC_CODE_NAMES[i]!);
      this.#byCode[i] = counter;
    }
    counter.inc();
  }
}
