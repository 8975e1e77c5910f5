// Unary gRPC calls straight over node:http2, for the load clients. A grpc-js call allocates
// about 40 KB (interceptors, filters, retry and load-balancing layers, metadata copies); at a few
// hundred calls per second that garbage gives the client young-generation pauses of 5 to 15 ms,
// which the open loop then counts as server latency. This sends the request frame and reads the
// reply frame and the status, and nothing else: no retries, no compression, one connection.
import http2 from 'node:http2';
import { status } from '@grpc/grpc-js';

const SERVICE_PATH = '/littlehorse.LittleHorse/';
/** gRPC's length-prefixed message: a compressed flag byte and a four-byte big-endian length. */
const FRAME_HEADER_BYTES = 5;
/** Replies larger than this are refused (the server's own record limit is about 1 MiB). */
const MAX_REPLY_BYTES = 8 * 1024 * 1024;

export interface CallError {
  code: status;
  details: string;
}

export type UnaryCallback = (err: CallError | null, reply: Uint8Array | undefined) => void;

export class RawUnaryClient {
  readonly #authority: string;
  readonly #headers: Record<string, string>;
  #session: http2.ClientHttp2Session | undefined;

  /** `tenant`: sent as the tenantid header on every call, when given. */
  constructor(address: string, tenant: string | undefined) {
    this.#authority = `http://${address}`;
    this.#headers = { 'content-type': 'application/grpc', te: 'trailers', ...(tenant === undefined ? {} : { tenantid: tenant }) };
  }

  /** Resolves once the connection is up (or rejects after timeoutMs). */
  ready(timeoutMs: number): Promise<void> {
    const session = this.#connect();
    if (!session.connecting) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.#authority} did not accept a connection within ${timeoutMs} ms`)), timeoutMs);
      session.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      session.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Calls `method` (e.g. 'RunWf') with an encoded request; `done` gets the encoded reply. */
  call(method: string, request: Uint8Array, deadlineMs: number, done: UnaryCallback): void {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.#connect().request({ ...this.#headers, ':method': 'POST', ':path': SERVICE_PATH + method, 'grpc-timeout': `${deadlineMs}m` });
    } catch (err) {
      done({ code: status.UNAVAILABLE, details: (err as Error).message }, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let finished = false;
    let headerStatus: string | undefined;
    let headerMessage: string | undefined;
    const finish = (err: CallError | null, reply: Uint8Array | undefined): void => {
      if (finished) return;
      finished = true;
      done(err, reply);
    };
    stream.setTimeout(deadlineMs, () => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      finish({ code: status.DEADLINE_EXCEEDED, details: `no reply within ${deadlineMs} ms` }, undefined);
    });
    // A reply without a message carries its status in the headers (trailers-only).
    stream.on('response', (headers) => {
      headerStatus = headers['grpc-status'] as string | undefined;
      headerMessage = headers['grpc-message'] as string | undefined;
    });
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_REPLY_BYTES + FRAME_HEADER_BYTES) {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        finish({ code: status.RESOURCE_EXHAUSTED, details: `reply larger than ${MAX_REPLY_BYTES} bytes` }, undefined);
        return;
      }
      chunks.push(chunk);
    });
    stream.on('trailers', (trailers) => {
      headerStatus = (trailers['grpc-status'] as string | undefined) ?? headerStatus;
      headerMessage = (trailers['grpc-message'] as string | undefined) ?? headerMessage;
    });
    stream.on('error', (err) => finish({ code: status.UNAVAILABLE, details: err.message }, undefined));
    stream.on('close', () => {
      const code = headerStatus === undefined ? status.INTERNAL : Number(headerStatus);
      if (code !== status.OK) {
        finish({ code, details: headerMessage === undefined ? 'no grpc-status in the reply' : decodeURIComponent(headerMessage) }, undefined);
        return;
      }
      const body = Buffer.concat(chunks, bytes);
      if (body.length < FRAME_HEADER_BYTES || body[0] !== 0 || body.readUInt32BE(1) !== body.length - FRAME_HEADER_BYTES) {
        finish({ code: status.INTERNAL, details: `malformed reply frame (${body.length} bytes)` }, undefined);
        return;
      }
      finish(null, body.subarray(FRAME_HEADER_BYTES));
    });
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + request.length);
    frame[0] = 0;
    frame.writeUInt32BE(request.length, 1);
    frame.set(request, FRAME_HEADER_BYTES);
    stream.end(frame);
  }

  close(): void {
    this.#session?.close();
    this.#session = undefined;
  }

  #connect(): http2.ClientHttp2Session {
    const current = this.#session;
    if (current !== undefined && !current.closed && !current.destroyed) return current;
    const session = http2.connect(this.#authority);
    // Errors surface on the calls; without a listener an 'error' would end the process.
    session.on('error', () => undefined);
    session.on('close', () => {
      if (this.#session === session) this.#session = undefined;
    });
    this.#session = session;
    return session;
  }
}
