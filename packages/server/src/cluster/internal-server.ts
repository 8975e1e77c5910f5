// The internal API of one kafka-mode instance: other instances read keys, scan prefixes, wait for
// command outcomes and watch notify topics of the partitions this instance serves. It forwards
// nothing: a call for a partition it does not serve is answered FAILED_PRECONDITION so the caller
// refreshes its view of the cluster and asks the owner.
//
// Insecure by design (as upstream without LHS_INTERNAL_CA_CERT): bind it on a private network.
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import {
  FillyInternalService,
  type FillyInternalServer,
  type InternalKeyValue,
  type InternalWaitForCommandResponse,
  type InternalWatchEvent,
  type InternalWatchRequest,
} from '@filly/proto/internal';
import { ApiError, Code } from '../processor/api-error.ts';
import type { LocalPartitions } from './local-partitions.ts';

export interface InternalApiLimits {
  /** Largest `limit` a Scan may ask for; larger ones are capped. */
  maxScanRows: number;
  /** Scan rows sent in one response at most, in bytes; a longer page is cut and flagged truncated. */
  maxScanResponseBytes: number;
  /** Longest WaitForCommand wait; a longer timeout_ms is capped. */
  maxWaitMs: number;
  /** WaitForCommand calls waiting at once; more are RESOURCE_EXHAUSTED. */
  maxPendingWaits: number;
  /** Watch streams open at once; more are RESOURCE_EXHAUSTED. */
  maxWatchStreams: number;
  /** Largest gRPC message either way. Must exceed the largest stored record. */
  maxMessageBytes: number;
  /** How often open calls are checked against isServing (a moved partition ends them). */
  servingCheckIntervalMs: number;
}

export const DEFAULT_INTERNAL_API_LIMITS: InternalApiLimits = {
  maxScanRows: 10_000,
  maxScanResponseBytes: 16 * 1024 * 1024,
  maxWaitMs: 120_000,
  maxPendingWaits: 50_000,
  maxWatchStreams: 20_000,
  maxMessageBytes: 64 * 1024 * 1024,
  servingCheckIntervalMs: 500,
};

/** What the server logs; a pino logger fits. */
export interface InternalServerLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface InternalServerOptions {
  local: LocalPartitions;
  /** LHS_INTERNAL_BIND_PORT; 0 picks a free port (tests). */
  port: number;
  /** Default 0.0.0.0. */
  host?: string;
  limits?: Partial<InternalApiLimits>;
  log: InternalServerLog;
}

export interface InternalServer {
  /** The bound port. */
  readonly port: number;
  /** Ends the open calls of partitions that are no longer served now; call it after a rebalance. */
  checkServing(): void;
  /** Watch streams and waits open now (metrics, tests). */
  openCalls(): { watches: number; waits: number };
  close(): Promise<void>;
}

type Failure = ServerErrorResponse;

function failure(code: status, message: string): Failure {
  return Object.assign(new Error(message), { code, details: message });
}

export const notOwnerMessage = (partition: number): string => `this instance does not own partition ${partition}`;

function toFailure(err: unknown, log: InternalServerLog, method: string): Failure {
  if (err instanceof ApiError) return failure(err.code as number as status, err.message);
  log.error({ err, method }, 'internal API call failed');
  return failure(status.INTERNAL, `internal API ${method} failed: ${(err as Error).message ?? String(err)}`);
}

interface OpenCall {
  partition: number;
  /** Ends the call because the partition moved away. */
  revoke(): void;
}

export async function startInternalServer(options: InternalServerOptions): Promise<InternalServer> {
  const limits: InternalApiLimits = { ...DEFAULT_INTERNAL_API_LIMITS, ...options.limits };
  const { local, log } = options;
  const watches = new Set<OpenCall>();
  const waits = new Set<OpenCall>();

  const requireServing = (partition: number): void => {
    if (!Number.isInteger(partition) || !local.isServing(partition)) {
      throw new ApiError(Code.FAILED_PRECONDITION, notOwnerMessage(partition));
    }
  };

  function unary<Req, Res>(method: string, fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      let answered = false;
      const answer = (err: Failure | null, res?: Res): void => {
        if (answered) return;
        answered = true;
        if (err) callback(err);
        else callback(null, res);
      };
      fn(call.request, call).then((res) => answer(null, res), (err: unknown) => answer(toFailure(err, log, method)));
    };
  }

  const handlers: FillyInternalServer = {
    getKey: unary('GetKey', async (req) => {
      requireServing(req.partition);
      const value = await local.get(req.partition, req.key);
      return value === undefined ? {} : { value: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
    }),

    scan: unary('Scan', async (req) => {
      requireServing(req.partition);
      if (req.limit <= 0) throw new ApiError(Code.INVALID_ARGUMENT, `scan limit must be positive, got ${req.limit}`);
      const limit = Math.min(req.limit, limits.maxScanRows);
      const entries = await local.scan(req.partition, req.prefix, req.afterKey, limit);
      const rows: InternalKeyValue[] = [];
      let bytes = 0;
      for (const e of entries) {
        const size = e.key.length * 3 + e.value.byteLength + 16;
        // Always send one row, however large: the caller continues after it.
        if (rows.length > 0 && bytes + size > limits.maxScanResponseBytes) break;
        rows.push({ key: e.key, value: Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength) });
        bytes += size;
      }
      // Also flagged when the cap on rows shortened the page: the caller continues after the last row.
      return { rows, truncated: rows.length < entries.length || (limit < req.limit && entries.length === limit) };
    }),

    waitForCommand: (call, callback) => {
      const req = call.request;
      if (waits.size >= limits.maxPendingWaits) {
        callback(failure(status.RESOURCE_EXHAUSTED, `too many waits for commands on this instance (${limits.maxPendingWaits})`));
        return;
      }
      let entry: OpenCall | undefined;
      const run = async (): Promise<InternalWaitForCommandResponse> => {
        requireServing(req.partition);
        const timeoutMs = Math.max(0, Math.min(Number(req.timeoutMs), limits.maxWaitMs));
        // A partition that moves away mid-wait is answered FAILED_PRECONDITION: the new owner
        // applies the command from the log, so the caller must wait there instead.
        const moved = new Promise<never>((_, reject) => {
          entry = { partition: req.partition, revoke: () => reject(new ApiError(Code.FAILED_PRECONDITION, notOwnerMessage(req.partition))) };
          waits.add(entry);
        });
        const outcome = await Promise.race([local.waitForCommand(req.partition, req.commandId, timeoutMs), moved]);
        if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message };
        return outcome.response === undefined
          ? { ok: true, code: 0, message: '' }
          : { ok: true, response: Buffer.from(outcome.response), code: 0, message: '' };
      };
      const done = (): void => {
        if (entry !== undefined) waits.delete(entry);
      };
      run().then((res) => {
        done();
        callback(null, res);
      }, (err: unknown) => {
        done();
        callback(toFailure(err, log, 'WaitForCommand'));
      });
    },

    // A server stream fails by emitting 'error' (grpc-js turns it into the call's status).
    watch: (call: ServerWritableStream<InternalWatchRequest, InternalWatchEvent>) => {
      const { partition, topic } = call.request;
      if (!Number.isInteger(partition) || !local.isServing(partition)) {
        call.emit('error', failure(status.FAILED_PRECONDITION, notOwnerMessage(partition)));
        return;
      }
      if (watches.size >= limits.maxWatchStreams) {
        call.emit('error', failure(status.RESOURCE_EXHAUSTED, `too many watch streams on this instance (${limits.maxWatchStreams})`));
        return;
      }
      let ended = false;
      let unsubscribe: (() => void) | undefined;
      const entry: OpenCall = { partition, revoke: () => finish(true) };
      const finish = (end: boolean): void => {
        if (ended) return;
        ended = true;
        watches.delete(entry);
        unsubscribe?.();
        // An OK end tells the caller that the partition moved: it re-subscribes at the new owner.
        if (end) call.end();
      };
      watches.add(entry);
      call.on('cancelled', () => finish(false));
      call.on('error', () => finish(false));
      call.on('close', () => finish(false));
      try {
        unsubscribe = local.watch(partition, topic, (detail) => {
          if (!ended) call.write({ detail, subscribed: false });
        });
        call.write({ detail: '', subscribed: true });
      } catch (err) {
        finish(false);
        call.emit('error', toFailure(err, log, 'Watch'));
      }
    },
  };

  const checkServing = (): void => {
    for (const set of [watches, waits]) {
      for (const c of [...set]) if (!local.isServing(c.partition)) c.revoke();
    }
  };
  const timer = setInterval(checkServing, limits.servingCheckIntervalMs);
  timer.unref();

  const server = new Server({
    'grpc.max_receive_message_length': limits.maxMessageBytes,
    'grpc.max_send_message_length': limits.maxMessageBytes,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    'grpc.keepalive_time_ms': 20_000,
    'grpc.keepalive_timeout_ms': 10_000,
  });
  server.addService(FillyInternalService, handlers);
  const host = options.host ?? '0.0.0.0';
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });

  return {
    port,
    checkServing,
    openCalls: () => ({ watches: watches.size, waits: waits.size }),
    close: () => new Promise<void>((resolve) => {
      clearInterval(timer);
      for (const w of [...watches]) w.revoke();
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2_000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    }),
  };
}
