// Sends raw bytes as the request of any rpc: the client does no encoding, so the server sees
// exactly the fuzzer's bytes. Every call has a deadline; running past it is reported as a hang.
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';

export interface CallOutcome {
  code: number;
  details: string;
  elapsedMs: number;
  /** Bytes of the response message (unary calls that succeeded). */
  responseBytes?: number;
}

const identity = (b: Buffer): Buffer => b;
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export function rawClient(address: string): Client {
  return new Client(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
    // Fuzz calls are many and short; no retries, so one call is one request.
    'grpc.enable_retries': 0,
  });
}

function metadataFor(tenant: string | undefined): Metadata {
  const md = new Metadata();
  if (tenant !== undefined) md.set('tenantid', tenant);
  return md;
}

export function callUnary(client: Client, path: string, bytes: Uint8Array, tenant: string | undefined, deadlineMs: number): Promise<CallOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, asBuffer(bytes), metadataFor(tenant), { deadline: new Date(started + deadlineMs) },
      (err: ServiceError | null, res?: Buffer) => {
        const elapsedMs = Date.now() - started;
        if (err) resolve({ code: err.code, details: err.details, elapsedMs });
        else resolve({ code: status.OK, details: '', elapsedMs, responseBytes: res?.length ?? 0 });
      });
  });
}

/**
 * Opens a PollTask-style stream, writes the messages, half-closes, and waits for the status. A
 * server that answers a half-closed stream must end it, so a deadline here is a hang.
 */
export function callStream(client: Client, path: string, messages: Uint8Array[], tenant: string | undefined, deadlineMs: number): Promise<CallOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest(path, identity, identity, metadataFor(tenant), { deadline: new Date(started + deadlineMs) });
    let settled = false;
    const settle = (code: number, details: string): void => {
      if (settled) return;
      settled = true;
      resolve({ code, details, elapsedMs: Date.now() - started });
    };
    call.on('data', () => undefined);
    call.on('error', (e: ServiceError) => settle(e.code, e.details));
    call.on('status', (s: { code: number; details: string }) => settle(s.code, s.details));
    for (const m of messages) call.write(asBuffer(m));
    call.end();
  });
}
