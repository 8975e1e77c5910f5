// The child side of the coordinator's IPC channel: typed send, and exit when the parent goes.
import { LittleHorseClient } from '@filly/proto';
import { credentials, Metadata } from '@grpc/grpc-js';

export function sendToParent<T>(msg: T): void {
  if (process.send === undefined) throw new Error('this bench process must be started by the coordinator (fork with IPC)');
  process.send(msg);
}

/** Calls `onMessage` for each message; exits when the coordinator disconnects (it died or is done). */
export function listenToParent<T>(onMessage: (msg: T) => void): void {
  process.on('message', (msg) => {
    try {
      onMessage(msg as T);
    } catch (err) {
      fatal(err);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

export function fatal(err: unknown): never {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try { sendToParent({ type: 'fatal', message }); } catch { /* no parent to tell */ }
  console.error(message);
  process.exit(1);
}

export function grpcClient(address: string): LittleHorseClient {
  return new LittleHorseClient(address, credentials.createInsecure(), {
    // The default 4 MiB would refuse a large WfRun; the server's own record limit is about 1 MiB.
    'grpc.max_receive_message_length': 8 * 1024 * 1024,
    'grpc.keepalive_time_ms': 30_000,
  });
}

export function tenantMetadata(tenant: string | undefined): Metadata {
  const md = new Metadata();
  if (tenant !== undefined) md.set('tenantid', tenant);
  return md;
}
